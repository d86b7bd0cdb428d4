package io.fleetform.engine.plan;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import io.fleetform.engine.state.Provenance;

/**
 * A plan is a value: what would change, bound to the state it was made against (lineage and
 * serial) and to the configuration (a hash of the fleet files and inputs), so applying it
 * later is refused if either moved on. It holds no secret in clear.
 *
 * @param outputs    the outputs as they will be after apply, for display ("(known after apply)" included)
 * @param provenance the repository and commit the fleet's files came from, when they came from Git
 * @param rollout    each change's stage and disruption, and what is unfinished
 * @param policy     what {@code --policy} found when the plan was made, when it was checked
 */
public record Plan(int formatVersion, PlanMode mode, String fleet, String lineage, long serial, String configHash,
                   Instant created, List<ResourceChange> changes, List<Drift> drift, Map<String, String> outputs,
                   List<String> warnings, Optional<Provenance> provenance, PlanRollout rollout,
                   Optional<PlanPolicy> policy) {
    public static final int FORMAT_VERSION = 1;

    public Plan {
        changes = List.copyOf(changes);
        drift = List.copyOf(drift);
        outputs = Map.copyOf(outputs);
        warnings = List.copyOf(warnings);
        java.util.Objects.requireNonNull(provenance, "provenance");
        rollout = rollout == null ? PlanRollout.NONE : rollout;
        java.util.Objects.requireNonNull(policy, "policy");
    }

    public Plan(int formatVersion, PlanMode mode, String fleet, String lineage, long serial, String configHash,
                Instant created, List<ResourceChange> changes, List<Drift> drift, Map<String, String> outputs,
                List<String> warnings, Optional<Provenance> provenance, PlanRollout rollout) {
        this(formatVersion, mode, fleet, lineage, serial, configHash, created, changes, drift, outputs, warnings,
                provenance, rollout, Optional.empty());
    }

    public Plan(int formatVersion, PlanMode mode, String fleet, String lineage, long serial, String configHash,
                Instant created, List<ResourceChange> changes, List<Drift> drift, Map<String, String> outputs,
                List<String> warnings, Optional<Provenance> provenance) {
        this(formatVersion, mode, fleet, lineage, serial, configHash, created, changes, drift, outputs, warnings,
                provenance, PlanRollout.NONE);
    }

    public Plan(int formatVersion, PlanMode mode, String fleet, String lineage, long serial, String configHash,
                Instant created, List<ResourceChange> changes, List<Drift> drift, Map<String, String> outputs,
                List<String> warnings, PlanRollout rollout) {
        this(formatVersion, mode, fleet, lineage, serial, configHash, created, changes, drift, outputs, warnings,
                Optional.empty(), rollout);
    }

    public Plan(int formatVersion, PlanMode mode, String fleet, String lineage, long serial, String configHash,
                Instant created, List<ResourceChange> changes, List<Drift> drift, Map<String, String> outputs,
                List<String> warnings) {
        this(formatVersion, mode, fleet, lineage, serial, configHash, created, changes, drift, outputs, warnings,
                Optional.empty(), PlanRollout.NONE);
    }

    public Plan withProvenance(Optional<Provenance> where) {
        return new Plan(formatVersion, mode, fleet, lineage, serial, configHash, created, changes, drift, outputs,
                warnings, where, rollout, policy);
    }

    public Plan withRollout(PlanRollout newRollout) {
        return new Plan(formatVersion, mode, fleet, lineage, serial, configHash, created, changes, drift, outputs,
                warnings, provenance, newRollout, policy);
    }

    /** The plan with what {@code --policy} found (empty: not checked). */
    public Plan withPolicy(Optional<PlanPolicy> found) {
        return new Plan(formatVersion, mode, fleet, lineage, serial, configHash, created, changes, drift, outputs,
                warnings, provenance, rollout, found);
    }

    public boolean hasChanges() {
        return changes.stream().anyMatch(c -> c.action() != Action.NO_OP)
                || (mode == PlanMode.REFRESH_ONLY && !drift.isEmpty());
    }

    public long count(Action action) {
        return changes.stream().filter(c -> c.action() == action).count();
    }
}
