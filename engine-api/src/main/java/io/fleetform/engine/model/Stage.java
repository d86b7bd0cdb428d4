package io.fleetform.engine.model;

import io.fleetform.dsl.source.SourceSpan;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One rollout stage. It selects zones by name, by IDC, or a percentage of the rest; a stage
 * that selects nothing explicitly takes every zone not taken by an earlier stage.
 */
public record Stage(String name, List<String> zones, List<String> idcs, Optional<Integer> percent, int maxParallel,
        Optional<Duration> waitAfter, Gate gate, boolean manualApproval, SourceSpan span) {
    public Stage {
        zones = List.copyOf(zones);
        idcs = List.copyOf(idcs);
    }

    public enum Gate {
        HEALTHY, NONE
    }
}
