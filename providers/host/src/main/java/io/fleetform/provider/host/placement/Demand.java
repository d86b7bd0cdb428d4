package io.fleetform.provider.host.placement;

/**
 * What one instance needs from a host.
 *
 * @param group   instances of one group ({@code zone.s1.service.logic}) are kept on different
 *                hosts when {@code spread} is set
 * @param cores   whole exclusive cores on one NUMA node, or 0 for a shared CPU
 * @param sriov   whether it needs a virtual function
 */
public record Demand(String address, String group, boolean spread, int cores, long memoryBytes, long diskBytes,
                     boolean sriov) {
}
