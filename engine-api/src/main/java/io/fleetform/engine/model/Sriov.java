package io.fleetform.engine.model;

import java.util.Optional;

/**
 * A virtual function of an SR-IOV NIC, its settings and where its interrupts go.
 *
 * @param qos       802.1p priority of the VF's VLAN (0..7, 0 without a VLAN)
 * @param linkState {@code auto} (follows the PF), {@code enable} or {@code disable}
 * @param mtu       the VF netdev's MTU inside the instance
 */
public record Sriov(Optional<Integer> vlan, Optional<String> mac, boolean spoofCheck, boolean trust,
        long minRateBytesPerSecond, long maxRateBytesPerSecond, IrqBinding irq, boolean rps, int qos,
        String linkState, int mtu) {
    public static final int DEFAULT_MTU = 1500;

    public Sriov(Optional<Integer> vlan, Optional<String> mac, boolean spoofCheck, boolean trust,
                 long minRateBytesPerSecond, long maxRateBytesPerSecond, IrqBinding irq, boolean rps) {
        this(vlan, mac, spoofCheck, trust, minRateBytesPerSecond, maxRateBytesPerSecond, irq, rps, 0, "auto",
                DEFAULT_MTU);
    }
}
