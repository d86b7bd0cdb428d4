package io.fleetform.provider.host.provider;

import io.fleetform.provider.host.agent.Allocation;
import io.fleetform.provider.host.agent.AllocationRequest;
import io.fleetform.provider.host.agent.CpuList;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The order of the two writes of a resize, so the ledger always covers the container, even
 * after a crash between them: the claim grows first (to what covers both the old and the new
 * size), then the container changes, then the claim shrinks to the new size. A pure increase
 * is one claim before the container; a pure decrease is the container, then one claim.
 */
final class ResizeSteps {
    private ResizeSteps() {
    }

    /**
     * What to claim before the container changes: an allocation covering both {@code held} and
     * {@code wanted}, or {@code wanted} itself when there is nothing held or no such cover exists
     * (cores moving to another NUMA node, another IP or VF: the agent then checks the new claim).
     */
    static AllocationRequest before(Optional<Allocation> held, AllocationRequest wanted) {
        if (held.isEmpty()) {
            return wanted;
        }
        Allocation h = held.get();
        if (!Objects.equals(h.numaNode(), wanted.numaNode()) || !Objects.equals(h.ipv4(), wanted.ipv4())
                || !Objects.equals(h.vf(), wanted.vf())) {
            return wanted;
        }
        TreeSet<Integer> cores = new TreeSet<>(CpuList.parse(h.cores()));
        cores.addAll(CpuList.parse(wanted.cores()));
        return new AllocationRequest(wanted.numaNode(), CpuList.format(cores),
                Math.max(h.memoryBytes(), wanted.memoryBytes()), wanted.ipv4(),
                Math.max(h.diskBytes(), wanted.diskBytes()), wanted.vf());
    }
}
