package io.fleetform.provider.registry;

import io.fleetform.provider.registry.image.Digest;
import java.util.List;

/** Content did not hash to the digest that names it: corrupted in transit or at rest, never trusted. */
public final class DigestMismatchException extends RegistryException {

    private final Digest expected;
    private final Digest actual;
    private final long receivedBytes;

    DigestMismatchException(String registry, String operation, Digest expected, Digest actual, long receivedBytes,
            String detail) {
        super(registry, operation, 0, List.of(), detail, null);
        this.expected = expected;
        this.actual = actual;
        this.receivedBytes = receivedBytes;
    }

    public Digest expected() {
        return expected;
    }

    /** What the received bytes hash to; null when the size alone was already wrong. */
    public Digest actual() {
        return actual;
    }

    public long receivedBytes() {
        return receivedBytes;
    }
}
