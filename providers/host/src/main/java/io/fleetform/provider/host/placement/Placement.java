package io.fleetform.provider.host.placement;

/**
 * Where an instance runs: the agent, and what it holds there.
 *
 * @param numaNode null for a shared CPU
 * @param cores    cpulist of its exclusive cores, empty for a shared CPU
 * @param vf       a virtual function's PCI address or netdev, or null
 */
public record Placement(String address, String host, Integer numaNode, String cores, String ip, String vf) {
}
