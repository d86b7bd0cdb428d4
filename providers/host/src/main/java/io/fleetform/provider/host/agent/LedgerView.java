package io.fleetform.provider.host.agent;

import java.util.List;

/**
 * Answer to {@code GET /v1/allocations}: every entry plus what is left on the host.
 *
 * @param agentId     the agent answering
 * @param revision    increases by one with every change to the ledger
 * @param allocations entries, sorted by address
 * @param free        what is not held by any instance (and not in use outside the ledger)
 * @param portsInUse  ports of the host's range in use outside the ledger, which {@code free} leaves out, and what
 *                    the agent could not check; null from agents before it was said
 */
public record LedgerView(String agentId, long revision, List<Allocation> allocations, Free free,
                         PortsInUse portsInUse) {
    public LedgerView {
        allocations = List.copyOf(allocations);
    }

    public LedgerView(String agentId, long revision, List<Allocation> allocations, Free free) {
        this(agentId, revision, allocations, free, null);
    }

    /**
     * @param held      ports of the range something outside the ledger holds, one entry per holder
     * @param unchecked what the agent could not check (e.g. the host's sockets, from an agent in its own network
     *                  namespace without the host's /proc), null when it checked everything
     */
    public record PortsInUse(List<HeldPorts> held, String unchecked) {
        public PortsInUse {
            held = held == null ? List.of() : List.copyOf(held);
        }
    }

    /** @param ports a range list; {@code by} what holds them (a container publishing them, a socket) */
    public record HeldPorts(String ports, String by) {
    }

    /**
     * @param cores       online cores no instance holds (cpulist)
     * @param memoryBytes host memory not reserved
     * @param diskBytes   data filesystem size not reserved
     * @param vfs         PCI addresses of VFs no instance holds
     * @param ports       host ports of the host's port range no instance holds, as a range list
     *                    ({@code 30000-30004,30006-32767})
     */
    public record Free(String cores, long memoryBytes, long diskBytes, List<String> vfs, String ports) {
        public Free {
            vfs = List.copyOf(vfs);
            ports = ports == null ? "" : ports;
        }
    }
}
