package io.fleetform.engine.plan;

import java.util.List;

/**
 * What {@code --policy} found when the plan was made: how many rules were checked and the ones
 * that fired. A saved plan holds only warnings, since a plan a deny rule fires on is never saved.
 */
public record PlanPolicy(int rules, List<PolicyResult> results) {
    public PlanPolicy {
        results = List.copyOf(results);
    }

    public boolean denied() {
        return results.stream().anyMatch(r -> r.level() == PolicyResult.Level.DENY);
    }
}
