package io.fleetform.provider.sriov;

import java.util.Map;
import java.util.TreeMap;

/**
 * The agent's record of one VF it gives an instance, written before the first change to the VF and removed
 * after the last change of its release, so a run that dies on the way is finished or undone by the next.
 *
 * @param key              the instance's key on the agent
 * @param netdev           the VF's netdev name on the host when it was taken (what to move into the container)
 * @param phase            {@code attaching} until every step is done, then {@code attached}; {@code detaching}
 *                         once its release began
 * @param previousAffinity each MSI IRQ's {@code smp_affinity_list} before it was bound, put back on release
 * @param previousRps      each receive queue's {@code rps_cpus} before, put back on release
 */
public record VfRecord(String key, String pci, String pf, int index, String netdev, Phase phase,
                       Map<Integer, String> previousAffinity, Map<String, String> previousRps) {
    public enum Phase { ATTACHING, ATTACHED, DETACHING }

    public VfRecord {
        previousAffinity = previousAffinity == null ? Map.of() : Map.copyOf(new TreeMap<>(previousAffinity));
        previousRps = previousRps == null ? Map.of() : Map.copyOf(new TreeMap<>(previousRps));
    }

    VfRecord in(Phase p) {
        return new VfRecord(key, pci, pf, index, netdev, p, previousAffinity, previousRps);
    }
}
