package io.fleetform.engine.model;

/** An environment variable of a service; a sensitive one never shows its value. */
public record EnvVar(String name, String value, boolean sensitive) {
    @Override
    public String toString() {
        return name + "=" + (sensitive ? "(sensitive)" : value);
    }

    // Written out, for the reason Cpu's is.
    @Override
    public boolean equals(Object other) {
        return other instanceof EnvVar o && o.sensitive == sensitive && java.util.Objects.equals(o.name, name)
                && java.util.Objects.equals(o.value, value);
    }
}
