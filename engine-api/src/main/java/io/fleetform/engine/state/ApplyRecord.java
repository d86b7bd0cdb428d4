package io.fleetform.engine.state;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One apply, as the state remembers it: the serial it produced, when it started, what it was
 * ({@code apply} or {@code destroy}), where the fleet's files came from and which fleet it was
 * ({@code fleet}, "" in states written before it was recorded): a state is one fleet's, and a
 * fleet of another name pointed at it is refused.
 */
public record ApplyRecord(long serial, Instant started, String operation, Optional<Provenance> provenance,
                          String fleet) {
    public ApplyRecord {
        Objects.requireNonNull(started, "started");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(provenance, "provenance");
        Objects.requireNonNull(fleet, "fleet");
    }

    public ApplyRecord(long serial, Instant started, String operation, Optional<Provenance> provenance) {
        this(serial, started, operation, provenance, "");
    }
}
