package io.fleetform.engine.model;

import io.fleetform.dsl.source.SourceSpan;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One rollout stage. It selects zones by name, by IDC, or a percentage of the rest; a stage
 * that selects nothing explicitly takes every zone not taken by an earlier stage.
 *
 * @param metric     a metric analysis after the health gate ({@code gate { prometheus = ... }})
 * @param healthyFor how long the stage's servers must stay healthy (running, not restarting, ready)
 *                   before the gate opens
 * @param partition  when present, the stage changes only the first instances of each service in its
 *                   zones, and leaves the zones to a later stage for the rest
 */
public record Stage(String name, List<String> zones, List<String> idcs, Optional<Integer> percent, int maxParallel,
        Optional<Duration> waitAfter, Gate gate, boolean manualApproval, Duration healthyFor,
        Optional<MetricGate> metric, Optional<Partition> partition, SourceSpan span) {

    /**
     * How many of each service's instances a partial stage changes: {@code count} of them, or
     * {@code percent} of them rounded up (at least one); the other field is 0.
     */
    public record Partition(int count, int percent) {
        /** Of {@code replicas} instances, how many (ordinals 0 to this, exclusive) the stage changes. */
        public int of(int replicas) {
            int n = count > 0 ? count : (int) Math.ceil(replicas * percent / 100.0);
            return Math.max(1, Math.min(replicas, n));
        }

        public String describe() {
            return count > 0 ? count + " instance(s)" : percent + "%";
        }
    }

    public Stage(String name, List<String> zones, List<String> idcs, Optional<Integer> percent, int maxParallel,
                 Optional<Duration> waitAfter, Gate gate, boolean manualApproval, Duration healthyFor,
                 Optional<MetricGate> metric, SourceSpan span) {
        this(name, zones, idcs, percent, maxParallel, waitAfter, gate, manualApproval, healthyFor, metric,
                Optional.empty(), span);
    }
    /** The default {@code healthy_for}: long enough to see a crash loop restart a container. */
    public static final Duration DEFAULT_HEALTHY_FOR = Duration.ofSeconds(5);

    public Stage(String name, List<String> zones, List<String> idcs, Optional<Integer> percent, int maxParallel,
                 Optional<Duration> waitAfter, Gate gate, boolean manualApproval, SourceSpan span) {
        this(name, zones, idcs, percent, maxParallel, waitAfter, gate, manualApproval, DEFAULT_HEALTHY_FOR,
                Optional.empty(), span);
    }

    public Stage {
        zones = List.copyOf(zones);
        idcs = List.copyOf(idcs);
    }

    public enum Gate {
        HEALTHY, NONE
    }
}
