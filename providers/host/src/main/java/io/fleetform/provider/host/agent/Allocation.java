package io.fleetform.provider.host.agent;

import java.util.List;
import java.util.Objects;

/**
 * One instance's entry in the host's allocations ledger.
 *
 * @param address     instance address, e.g. {@code zone.s12.service.logic[0]}
 * @param numaNode    NUMA node, or null
 * @param cores       exclusive cores, canonical cpulist ({@code ""} for none)
 * @param memoryBytes reserved memory
 * @param ipv4        fixed IPv4, or null
 * @param diskBytes   reserved disk
 * @param vf          PCI address of the held SR-IOV VF, or null
 * @param revision    ledger revision at which this entry last changed
 * @param container   the key the instance's container was made under, when the entry was renamed since
 *                    (Docker labels cannot change, so a rename re-keys the ledger and the container keeps
 *                    its labels); null when it is {@code address}
 * @param ports       host ports the instance holds (published in bridge mode, bound in host mode), sorted;
 *                    empty for none (and in ledgers written before ports were allocated)
 * @param projectId   the XFS project that bounds the instance's data directory, unique on the host; given by the
 *                    ledger (recorded before the quota is set) when the instance first gets a disk quota, kept
 *                    while the entry lives; null before that (and in ledgers written before ids were allocated)
 */
public record Allocation(String address, Integer numaNode, String cores, long memoryBytes, String ipv4,
                        long diskBytes, String vf, long revision, String container, List<Integer> ports,
                        Integer projectId) {
    public Allocation {
        Objects.requireNonNull(address, "address");
        cores = cores == null ? "" : cores;
        ports = ports == null ? List.of() : List.copyOf(new java.util.TreeSet<>(ports));
    }

    public Allocation(String address, Integer numaNode, String cores, long memoryBytes, String ipv4,
                      long diskBytes, String vf, long revision, String container, List<Integer> ports) {
        this(address, numaNode, cores, memoryBytes, ipv4, diskBytes, vf, revision, container, ports, null);
    }

    public Allocation(String address, Integer numaNode, String cores, long memoryBytes, String ipv4,
                      long diskBytes, String vf, long revision, String container) {
        this(address, numaNode, cores, memoryBytes, ipv4, diskBytes, vf, revision, container, List.of());
    }

    public Allocation(String address, Integer numaNode, String cores, long memoryBytes, String ipv4,
                      long diskBytes, String vf, long revision) {
        this(address, numaNode, cores, memoryBytes, ipv4, diskBytes, vf, revision, null);
    }

    Allocation withProjectId(int id, long rev) {
        return new Allocation(address, numaNode, cores, memoryBytes, ipv4, diskBytes, vf, rev, container, ports, id);
    }

    /** The key of the instance's container (labels, name, data directory). */
    public String containerKey() {
        return container == null ? address : container;
    }

    /** Whether this entry holds exactly what {@code r} asks for (with {@code r.vf()} already canonical). */
    boolean sameAs(AllocationRequest r) {
        return Objects.equals(numaNode, r.numaNode()) && cores.equals(r.cores()) && memoryBytes == r.memoryBytes()
                && Objects.equals(ipv4, r.ipv4()) && diskBytes == r.diskBytes() && Objects.equals(vf, r.vf())
                && ports.equals(r.ports());
    }
}
