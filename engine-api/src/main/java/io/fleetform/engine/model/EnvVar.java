package io.fleetform.engine.model;

import java.util.Objects;

/** An environment variable of a service; a sensitive one never shows its value. */
public record EnvVar(String name, String value, boolean sensitive) {
    @Override
    public String toString() {
        return name + "=" + (sensitive ? "(sensitive)" : value);
    }

    // equals and hashCode by hand, as a record's own would be (the same components, the same hash): the
    // record's are made at run time on first use, ~1 ms of a short command's start each (RecordMethodsTest).
    @Override
    public boolean equals(Object other) {
        return other == this || other instanceof EnvVar o && Objects.equals(name, o.name)
                && Objects.equals(value, o.value) && sensitive == o.sensitive;
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Objects.hashCode(name);
        h = 31 * h + Objects.hashCode(value);
        h = 31 * h + Boolean.hashCode(sensitive);
        return h;
    }
}
