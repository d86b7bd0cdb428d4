package io.fleetform.engine.model;

import java.util.Objects;
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

    // equals and hashCode by hand, as a record's own would be (the same components, the same hash): the
    // record's are made at run time on first use, ~1 ms of a short command's start each (RecordMethodsTest).
    @Override
    public boolean equals(Object other) {
        return other == this || other instanceof Sriov o && Objects.equals(vlan, o.vlan)
                && Objects.equals(mac, o.mac) && spoofCheck == o.spoofCheck && trust == o.trust
                && minRateBytesPerSecond == o.minRateBytesPerSecond
                && maxRateBytesPerSecond == o.maxRateBytesPerSecond && Objects.equals(irq, o.irq)
                && rps == o.rps && qos == o.qos && Objects.equals(linkState, o.linkState) && mtu == o.mtu;
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Objects.hashCode(vlan);
        h = 31 * h + Objects.hashCode(mac);
        h = 31 * h + Boolean.hashCode(spoofCheck);
        h = 31 * h + Boolean.hashCode(trust);
        h = 31 * h + Long.hashCode(minRateBytesPerSecond);
        h = 31 * h + Long.hashCode(maxRateBytesPerSecond);
        h = 31 * h + Objects.hashCode(irq);
        h = 31 * h + Boolean.hashCode(rps);
        h = 31 * h + Integer.hashCode(qos);
        h = 31 * h + Objects.hashCode(linkState);
        h = 31 * h + Integer.hashCode(mtu);
        return h;
    }
}
