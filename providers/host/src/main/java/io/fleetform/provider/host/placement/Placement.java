package io.fleetform.provider.host.placement;

/**
 * Where an instance runs: the agent, and what it holds there.
 *
 * @param numaNode null for a shared CPU
 * @param cores    cpulist of its exclusive cores, empty for a shared CPU
 * @param vf       a virtual function's PCI address or netdev, or null
 * @param ip       the instance's own IP on the fleet's network; null in host network mode (it has the host's)
 * @param ports    host ports it holds on {@code host}, one per port of the service, in the service's port order
 */
public record Placement(String address, String host, Integer numaNode, String cores, String ip, String vf,
                        java.util.List<Integer> ports) {
    public Placement {
        ports = ports == null ? java.util.List.of() : java.util.List.copyOf(ports);
    }

    public Placement(String address, String host, Integer numaNode, String cores, String ip, String vf) {
        this(address, host, numaNode, cores, ip, vf, java.util.List.of());
    }
}
