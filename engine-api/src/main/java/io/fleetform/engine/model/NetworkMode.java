package io.fleetform.engine.model;

/**
 * How a service's instances are networked. {@code UNDERLAY}: an IP of the IDC's {@code ip_pool} on the
 * hosts' own L2 network (a macvlan on the pool's {@code underlay_interface}), reached directly.
 */
public enum NetworkMode {
    BRIDGE, HOST, OVERLAY, SRIOV, UNDERLAY
}
