package io.fleetform.engine.value;

/** A value only known after planning or applying, e.g. an instance's IP. */
public record UnknownValue(String why) implements Value {
    public static final UnknownValue AFTER_PLAN = new UnknownValue("known after plan");

    @Override
    public String typeName() {
        return "unknown";
    }

    @Override
    public String display() {
        return "(" + why + ")";
    }
}
