package io.fleetform.engine.apply;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.state.State;
import java.time.Duration;
import java.util.Map;

/**
 * How an apply ended: counts per action, failures with their errors, whether it was
 * interrupted, the stage a rollout stopped before (empty if none), and the state it wrote.
 */
public record ApplyResult(Map<Action, Integer> done, Map<ResourceAddress, String> failed, int skipped,
                          int notStarted, boolean interrupted, State state, Duration elapsed, String stoppedBefore) {
    public ApplyResult {
        done = Map.copyOf(done);
        failed = Map.copyOf(failed);
        stoppedBefore = stoppedBefore == null ? "" : stoppedBefore;
    }

    public boolean succeeded() {
        return failed.isEmpty() && skipped == 0 && notStarted == 0 && !interrupted && stoppedBefore.isEmpty();
    }
}
