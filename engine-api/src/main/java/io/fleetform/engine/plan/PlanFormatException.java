package io.fleetform.engine.plan;

/** A plan file could not be read; the message names the file and the first thing wrong with it. */
public class PlanFormatException extends Exception {
    public PlanFormatException(String message) {
        super(message);
    }

    public PlanFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
