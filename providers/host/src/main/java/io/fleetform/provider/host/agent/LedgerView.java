package io.fleetform.provider.host.agent;

import java.util.List;

/**
 * Answer to {@code GET /v1/allocations}: every entry plus what is left on the host.
 *
 * @param agentId     the agent answering
 * @param revision    increases by one with every change to the ledger
 * @param allocations entries, sorted by address
 * @param free        what is not held by any instance
 */
public record LedgerView(String agentId, long revision, List<Allocation> allocations, Free free) {
    public LedgerView {
        allocations = List.copyOf(allocations);
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
