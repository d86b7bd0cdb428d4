package io.fleetform.source.git;

/** A repository that cannot be opened or read, a ref that does not exist: the message says which. */
public final class GitException extends Exception {
    public GitException(String message) {
        super(message);
    }

    public GitException(String message, Throwable cause) {
        super(message, cause);
    }
}
