package io.fleetform.engine.apply;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.plan.Action;
import java.time.Duration;

/** What the applier reports as it goes; the CLI turns these into progress lines. */
public sealed interface ApplyEvent {

    /** A rollout stage begins: how many zones and changes it holds. */
    record StageStarted(String stage, int zones, int changes) implements ApplyEvent {
    }

    /** The pause a stage asks for after it, before the next one. */
    record StageWaiting(String stage, Duration pause) implements ApplyEvent {
    }

    /** A stage's changes are made: its health gate watches this many resources for {@code healthyFor}. */
    record StageChecking(String stage, int resources, Duration healthyFor) implements ApplyEvent {
    }

    /** What the health gate sees while it waits (only when that changes). */
    record StageHealth(String stage, String detail) implements ApplyEvent {
    }

    /** The rollout stops before a stage: a failed health gate, or an approval not given. */
    record StageStopped(String stage, String why) implements ApplyEvent {
    }

    record Started(ResourceAddress address, Action action) implements ApplyEvent {
    }

    /** Emitted periodically for long operations, with what the provider last said it waits for. */
    record StillWorking(ResourceAddress address, Action action, Duration elapsed, String detail) implements ApplyEvent {
    }

    record Retrying(ResourceAddress address, Action action, int attempt, String error) implements ApplyEvent {
    }

    record Finished(ResourceAddress address, Action action, Duration elapsed, java.util.List<String> warnings)
            implements ApplyEvent {
    }

    record Failed(ResourceAddress address, Action action, Duration elapsed, String error) implements ApplyEvent {
    }

    record Skipped(ResourceAddress address, Action action, String why) implements ApplyEvent {
    }
}
