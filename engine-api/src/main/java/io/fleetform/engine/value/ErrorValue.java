package io.fleetform.engine.value;

/** Stands for a value whose computation already reported an error. */
public record ErrorValue() implements Value {
    public static final ErrorValue INSTANCE = new ErrorValue();

    @Override
    public String typeName() {
        return "error";
    }

    @Override
    public String display() {
        return "(error)";
    }
}
