package io.fleetform.engine.provider;

/**
 * The infrastructure refused or failed: which call, and what the remote side answered.
 * Transient failures (timeouts, 429, 5xx, connection resets) are retried with backoff.
 */
public final class ProviderException extends Exception {
    private final boolean transientFailure;

    public ProviderException(String message, boolean transientFailure, Throwable cause) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    public static ProviderException permanent(String message) {
        return new ProviderException(message, false, null);
    }

    public static ProviderException temporary(String message) {
        return new ProviderException(message, true, null);
    }

    public boolean isTransient() {
        return transientFailure;
    }
}
