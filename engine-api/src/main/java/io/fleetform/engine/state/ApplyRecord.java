package io.fleetform.engine.state;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One apply, as the state remembers it: the serial it produced, when it started, what it was
 * ({@code apply} or {@code destroy}) and where the fleet's files came from.
 */
public record ApplyRecord(long serial, Instant started, String operation, Optional<Provenance> provenance) {
    public ApplyRecord {
        Objects.requireNonNull(started, "started");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(provenance, "provenance");
    }
}
