package io.fleetform.engine.model;

/**
 * How a service's instances are networked. {@code UNDERLAY}: an IP of the IDC's {@code ip_pool} on the
 * hosts' own L2 network (a macvlan on the pool's {@code underlay_interface}), reached directly.
 * {@code AGENT_BRIDGE} ({@code network = agent_bridge}, hosts only): like {@code BRIDGE}, its own IP of the IDC's
 * {@code ip_pool} behind the host, but on a Linux bridge the host agent makes and equips itself (a veth per
 * container) instead of a Docker network: no embedded DNS; its ports published by the agent's own DNAT rules.
 */
public enum NetworkMode {
    BRIDGE, HOST, OVERLAY, SRIOV, UNDERLAY, AGENT_BRIDGE
}
