package io.fleetform.provider.sriov;

import java.util.Map;

/**
 * A VF as it is now, read back for drift: its settings on the PF, its netdev inside the container, where its
 * interrupts go.
 *
 * @param settings    as the PF reports them, or null when the PF does not answer
 * @param link        the netdev inside the container, or null when it is not there
 * @param irqAffinity each MSI IRQ's {@code smp_affinity_list}
 * @param irqsBanned  whether irqbalance is told to leave all of them alone
 */
public record VfLive(String pf, String vf, VfSettings settings, IpLink.Link link, Map<Integer, String> irqAffinity,
                     boolean irqsBanned, Map<String, String> rps) {
    public VfLive {
        irqAffinity = Map.copyOf(irqAffinity);
        rps = rps == null ? Map.of() : Map.copyOf(rps);
    }

    public VfLive(String pf, String vf, VfSettings settings, IpLink.Link link, Map<Integer, String> irqAffinity,
                  boolean irqsBanned) {
        this(pf, vf, settings, link, irqAffinity, irqsBanned, Map.of());
    }

    /** The cores all its IRQs go to, or how they differ ({@code 121: 0-7}). */
    public String irqCores() {
        java.util.Set<String> distinct = new java.util.TreeSet<>(irqAffinity.values());
        if (distinct.size() == 1) {
            return distinct.iterator().next();
        }
        StringBuilder b = new StringBuilder();
        new java.util.TreeMap<>(irqAffinity).forEach((irq, a) -> b.append(b.length() == 0 ? "" : ", ").append("irq ")
                .append(irq).append(": ").append(a));
        return b.toString();
    }
}
