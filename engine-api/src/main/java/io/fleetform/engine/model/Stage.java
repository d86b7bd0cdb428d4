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
 */
public record Stage(String name, List<String> zones, List<String> idcs, Optional<Integer> percent, int maxParallel,
        Optional<Duration> waitAfter, Gate gate, boolean manualApproval, Duration healthyFor,
        Optional<MetricGate> metric, SourceSpan span) {
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
