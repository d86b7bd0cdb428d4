package io.fleetform.engine.apply;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.plan.Action;
import java.time.Duration;

/** What the applier reports as it goes; the CLI turns these into progress lines. */
public sealed interface ApplyEvent {

    ResourceAddress address();

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
