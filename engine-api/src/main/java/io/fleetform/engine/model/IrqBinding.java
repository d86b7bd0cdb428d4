package io.fleetform.engine.model;

/** Where an SR-IOV VF's interrupts go: the service's pinned cores, or anywhere. */
public enum IrqBinding {
    LOCAL, ANY
}
