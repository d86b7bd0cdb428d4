package io.fleetform.engine.state;

/** The state could not be read or written; the message says which file or object and why. */
public class StateException extends Exception {
    public StateException(String message) {
        super(message);
    }

    public StateException(String message, Throwable cause) {
        super(message, cause);
    }
}
