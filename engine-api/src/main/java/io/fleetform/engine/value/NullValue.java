package io.fleetform.engine.value;

public record NullValue() implements Value {
    public static final NullValue INSTANCE = new NullValue();

    @Override
    public String typeName() {
        return "null";
    }

    @Override
    public String display() {
        return "null";
    }
}
