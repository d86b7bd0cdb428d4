package io.fleetform.engine.value;

public record StringValue(String value) implements Value {
    @Override
    public String typeName() {
        return "string";
    }

    @Override
    public String display() {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }
}
