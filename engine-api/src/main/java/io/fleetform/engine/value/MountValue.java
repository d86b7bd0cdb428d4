package io.fleetform.engine.value;

/** {@code 200Gi at "/data"}. */
public record MountValue(QuantityValue size, String path) implements Value {
    @Override
    public String typeName() {
        return "disk";
    }

    @Override
    public String display() {
        return size.display() + " at \"" + path + "\"";
    }
}
