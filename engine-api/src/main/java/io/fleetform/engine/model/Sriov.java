package io.fleetform.engine.model;

import java.util.Optional;

/** A virtual function of an SR-IOV NIC, its settings and where its interrupts go. */
public record Sriov(Optional<Integer> vlan, Optional<String> mac, boolean spoofCheck, boolean trust,
        long minRateBytesPerSecond, long maxRateBytesPerSecond, IrqBinding irq, boolean rps) {
}
