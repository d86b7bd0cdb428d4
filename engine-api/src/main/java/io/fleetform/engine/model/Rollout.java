package io.fleetform.engine.model;

import io.fleetform.dsl.source.SourceSpan;
import java.util.List;

/** Ordered stages in which a change reaches the zones. */
public record Rollout(String name, List<Stage> stages, SourceSpan span) {
    public Rollout {
        stages = List.copyOf(stages);
    }
}
