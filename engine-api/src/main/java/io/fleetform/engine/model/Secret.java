package io.fleetform.engine.model;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A secret value and where it came from. It prints and serialises as its source only,
 * so it cannot leak through a log line, a plan or {@code inspect --json}.
 *
 * @param value null when the secret is not available where the fleet is evaluated
 */
public record Secret(String source, String value) {
    public boolean available() {
        return value != null;
    }

    @JsonValue
    public String masked() {
        return "(sensitive: " + source + ")";
    }

    @Override
    public String toString() {
        return masked();
    }
}
