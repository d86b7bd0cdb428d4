package io.fleetform.provider.kubernetes;

import java.util.Map;
import java.util.Optional;

/**
 * A pause or a partition on a live workload: someone else's (Fleetform renders neither), which
 * the rollout wait honours instead of fighting it or waiting for what cannot happen, or the
 * partition a partial rollout stage of this fleet set ({@link StagePartition}). A partition of N
 * keeps N pods at the old revision (the wait is done when the others are updated and all are
 * ready); a pause stops the controller (the wait stops at once and says who to ask).
 *
 * @param partition pods kept at the old revision (0: none)
 * @param paused    where the pause is set, or empty
 * @param ours      whether the partition is the one this fleet's partial stage set (its annotation says so)
 */
record RolloutHold(long partition, Optional<String> paused, boolean ours) {
    static final RolloutHold NONE = new RolloutHold(0, Optional.empty(), false);

    RolloutHold(long partition, Optional<String> paused) {
        this(partition, paused, false);
    }

    static RolloutHold of(Map<String, Object> workload) {
        Map<?, ?> spec = workload.get("spec") instanceof Map<?, ?> m ? m : Map.of();
        Map<?, ?> strategy = spec.get("updateStrategy") instanceof Map<?, ?> m ? m : Map.of();
        Map<?, ?> rolling = strategy.get("rollingUpdate") instanceof Map<?, ?> m ? m : Map.of();
        long replicas = spec.get("replicas") instanceof Number n ? n.longValue() : 1;
        long partition = Math.max(count(strategy.get("partition"), replicas), count(rolling.get("partition"), replicas));
        Optional<String> paused = Optional.empty();
        if (Boolean.TRUE.equals(spec.get("paused"))) {
            paused = Optional.of("spec.paused");
        } else if (Boolean.TRUE.equals(strategy.get("paused"))) {
            paused = Optional.of("spec.updateStrategy.paused");
        } else if (Boolean.TRUE.equals(rolling.get("paused"))) {
            paused = Optional.of("spec.updateStrategy.rollingUpdate.paused");
        }
        long held = Math.min(partition, replicas);
        return new RolloutHold(held, paused, StagePartition.own(workload, held).isPresent());
    }

    /** A number, or a percentage of the replicas ({@code "20%"}, as CloneSet allows), rounded up. */
    private static long count(Object value, long replicas) {
        if (value instanceof Number n) {
            return n.longValue();
        }
        if (value instanceof String s && s.endsWith("%")) {
            try {
                return (long) Math.ceil(replicas * Double.parseDouble(s.substring(0, s.length() - 1)) / 100.0);
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return 0;
    }

    /** Rolled out as far as the hold allows: all ready, all but the partition updated. */
    boolean done(KubernetesProvider.Rollout r) {
        if (partition == 0) {
            return r.done();
        }
        return r.observed() >= r.generation() && r.ready() == r.replicas() && r.current() == r.replicas()
                && r.updated() >= r.replicas() - partition
                && (r.updatedReady() < 0 || r.updatedReady() >= r.replicas() - partition);
    }
}
