package io.fleetform.provider.registry.auth;

/** Credentials could not be obtained, e.g. an unreadable Docker config. Never carries secret material. */
public final class CredentialsException extends RuntimeException {

    public CredentialsException(String message) {
        super(message);
    }
}
