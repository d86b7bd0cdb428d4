package io.fleetform.engine.model;

/** An environment variable of a service; a sensitive one never shows its value. */
public record EnvVar(String name, String value, boolean sensitive) {
    @Override
    public String toString() {
        return name + "=" + (sensitive ? "(sensitive)" : value);
    }
}
