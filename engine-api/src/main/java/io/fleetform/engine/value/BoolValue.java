package io.fleetform.engine.value;

public record BoolValue(boolean value) implements Value {
    public static final BoolValue TRUE = new BoolValue(true);
    public static final BoolValue FALSE = new BoolValue(false);

    public static BoolValue of(boolean value) {
        return value ? TRUE : FALSE;
    }

    @Override
    public String typeName() {
        return "bool";
    }

    @Override
    public String display() {
        return Boolean.toString(value);
    }
}
