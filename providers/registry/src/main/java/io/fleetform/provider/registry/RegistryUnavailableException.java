package io.fleetform.provider.registry;

import java.util.List;

/** Connection failures, 429 or 5xx that persisted through every retry. Worth running again later. */
public final class RegistryUnavailableException extends RegistryException {

    private final int attempts;

    RegistryUnavailableException(String registry, String operation, int status, List<RegistryError> errors,
            int attempts, String detail, Throwable cause) {
        super(registry, operation, status, errors, detail, cause);
        this.attempts = attempts;
    }

    public int attempts() {
        return attempts;
    }
}
