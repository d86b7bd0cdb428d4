package io.fleetform.provider.host.placement;

/**
 * What one instance needs from a host.
 *
 * @param group   instances of one group ({@code zone.s1.service.logic}) are kept on different
 *                hosts when {@code spread} is set
 * @param cores   whole exclusive cores on one NUMA node, or 0 for a shared CPU
 * @param sriov   whether it needs a virtual function
 * @param hosts   the hosts it may run on (its IDC module's); empty for any
 * @param ports   how many host ports it needs (one per port of the service)
 * @param ownIp   whether it takes an IP from the IDC's pool (not in host network mode)
 */
public record Demand(String address, String group, boolean spread, int cores, long memoryBytes, long diskBytes,
                     boolean sriov, java.util.Set<String> hosts, int ports, boolean ownIp) {
    public Demand {
        hosts = java.util.Set.copyOf(hosts);
    }

    public Demand(String address, String group, boolean spread, int cores, long memoryBytes, long diskBytes,
                  boolean sriov, java.util.Set<String> hosts) {
        this(address, group, spread, cores, memoryBytes, diskBytes, sriov, hosts, 0, true);
    }

    public Demand(String address, String group, boolean spread, int cores, long memoryBytes, long diskBytes,
                  boolean sriov) {
        this(address, group, spread, cores, memoryBytes, diskBytes, sriov, java.util.Set.of());
    }

    boolean allows(String host) {
        return hosts.isEmpty() || hosts.contains(host);
    }
}
