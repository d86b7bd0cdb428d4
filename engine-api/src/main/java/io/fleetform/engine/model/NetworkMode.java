package io.fleetform.engine.model;

public enum NetworkMode {
    BRIDGE, HOST, OVERLAY, SRIOV
}
