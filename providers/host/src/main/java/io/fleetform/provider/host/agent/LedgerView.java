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
 * @param dataDirs    the instances' data directories the agent would not simply use for the ledger's one key at
 *                    their name (left from a released key, marked for another, unmarked, unreadable), so a plan
 *                    says what apply's claim of one would meet; null from agents before it was said
 */
public record LedgerView(String agentId, long revision, List<Allocation> allocations, Free free,
                         PortsInUse portsInUse, List<DataDir> dataDirs) {
    public LedgerView {
        allocations = List.copyOf(allocations);
        dataDirs = dataDirs == null ? null : List.copyOf(dataDirs);
    }

    public LedgerView(String agentId, long revision, List<Allocation> allocations, Free free) {
        this(agentId, revision, allocations, free, null, null);
    }

    /**
     * A data directory ({@code instances/<name>}) and what says whose it is. {@link #refusal} is the one decision
     * the agent makes before it uses or deletes the directory for a key, so the plan asks it the same question.
     *
     * @param name       the directory's name, the safe name of the keys that map to it ({@link InstanceNames})
     * @param path       the directory
     * @param marker     where its owner marker is (outside the directory, in {@code owners/})
     * @param ownerAgent the agent the marker names, null when there is no marker
     * @param ownerKey   the instance key the marker names, null when there is no marker
     * @param hintAgent  the agent an older agent's marker inside the directory names (a hint only), or null
     * @param hintKey    the key that inner marker names, or null
     * @param unreadable why a marker cannot be read (nobody's to override), null when both read
     * @param recorded   the container keys the ledger records at the name now
     */
    public record DataDir(String name, String path, String marker, String ownerAgent, String ownerKey,
                          String hintAgent, String hintKey, String unreadable, List<String> recorded) {
        public DataDir {
            recorded = recorded == null ? List.of() : List.copyOf(recorded);
        }

        /**
         * Why the agent {@code agentId} refuses this directory for instance {@code key} when the ledger records
         * {@code recorded} at its name, or null when it takes it (its own marker; or no marker, no inner one naming
         * someone else, and the ledger records that very instance, and no other, at it).
         */
        public String refusal(String agentId, String key, List<String> recorded) {
            if (unreadable != null) {
                return unreadable;
            }
            if (ownerKey != null) {
                return agentId.equals(ownerAgent) && key.equals(ownerKey) ? null
                        : "it is marked for instance " + ownerKey + " of agent " + ownerAgent;
            }
            if (hintKey != null && !(agentId.equals(hintAgent) && key.equals(hintKey))) {
                return "an older agent marked it (" + path + "/" + DataDirs.INNER_MARKER + ") for instance " + hintKey
                        + " of agent " + hintAgent;
            }
            if (recorded.equals(List.of(key))) {
                return null;
            }
            List<String> others = recorded.stream().filter(k -> !k.equals(key)).toList();
            return "it has no owner marker (" + marker + ") and " + (others.isEmpty()
                    ? "the ledger does not record instance " + key + " at it"
                    : "the ledger records " + String.join(", ", others) + " at it as well");
        }

        /** The same question asked before the claim: the claim adds {@code key} to what the ledger records. */
        public String refusalOnceClaimed(String agentId, String key) {
            List<String> then = new java.util.ArrayList<>(recorded);
            if (!then.contains(key)) {
                then.add(key);
            }
            return refusal(agentId, key, then);
        }
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
