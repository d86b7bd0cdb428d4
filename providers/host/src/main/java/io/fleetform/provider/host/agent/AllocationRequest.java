package io.fleetform.provider.host.agent;

/**
 * Body of {@code PUT /v1/allocations/{address}}: what the planner decided this instance holds on this host.
 *
 * @param numaNode    NUMA node the cores (and memory) belong to; null for no NUMA placement
 * @param cores       exclusive cores as a cpulist ({@code "8-11"}); null or empty for a shared-CPU instance
 * @param memoryBytes memory reserved for the instance
 * @param ipv4        the instance's fixed IPv4, or null
 * @param diskBytes   disk reserved in the agent's data filesystem
 * @param vf          an SR-IOV virtual function, by PCI address ({@code 0000:3b:02.1}) or VF netdev name; or null
 * @param ports       host ports for the instance, from the host's port range; no other instance on the host may
 *                    hold one of them (empty for none)
 */
public record AllocationRequest(Integer numaNode, String cores, long memoryBytes, String ipv4, long diskBytes,
                                String vf, java.util.List<Integer> ports) {
    public AllocationRequest(Integer numaNode, String cores, long memoryBytes, String ipv4, long diskBytes,
                             String vf) {
        this(numaNode, cores, memoryBytes, ipv4, diskBytes, vf, java.util.List.of());
    }

    public AllocationRequest {
        ports = ports == null ? java.util.List.of() : java.util.List.copyOf(new java.util.TreeSet<>(ports));
        for (int port : ports) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " is not within 1..65535");
            }
        }
        if (numaNode != null && numaNode < 0) {
            throw new IllegalArgumentException("numaNode must be >= 0, got " + numaNode);
        }
        cores = cores == null ? "" : CpuList.canonical(cores);
        if (memoryBytes < 0) {
            throw new IllegalArgumentException("memoryBytes must be >= 0, got " + memoryBytes);
        }
        if (diskBytes < 0) {
            throw new IllegalArgumentException("diskBytes must be >= 0, got " + diskBytes);
        }
        if (ipv4 != null && !Addresses.isIpv4(ipv4)) {
            throw new IllegalArgumentException("ipv4 '" + ipv4 + "' is not a dotted-quad IPv4 address");
        }
        if (vf != null && vf.isBlank()) {
            throw new IllegalArgumentException("vf must not be blank (omit it for no VF)");
        }
    }
}
