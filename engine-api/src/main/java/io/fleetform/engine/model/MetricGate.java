package io.fleetform.engine.model;

import io.fleetform.dsl.source.SourceSpan;
import java.time.Duration;
import java.util.Optional;

/**
 * A stage's metric analysis, like Argo Rollouts' analysis runs: a PromQL query asked every
 * {@code every} for {@code for} after the stage's changes are healthy. A measurement above
 * {@code max} (or below {@code min}) fails the stage with the value; a query that returns no
 * data is inconclusive and stops the rollout too. {@code ${zone}} in the query (written
 * {@code \${zone}} in a fleet file) becomes each of the stage's zones, one query per zone.
 */
public record MetricGate(String prometheus, String query, Optional<Double> max, Optional<Double> min,
                         Duration duration, Duration every, SourceSpan span) {
}
