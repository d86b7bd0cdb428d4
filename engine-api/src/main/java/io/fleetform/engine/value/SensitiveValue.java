package io.fleetform.engine.value;

/**
 * A secret, or anything computed from one. The wrapper follows the value through every
 * expression, so a token interpolated into a URL is still masked wherever the URL is shown.
 *
 * @param source where the secret came from ({@code env REGISTRY_TOKEN}), safe to print
 */
public record SensitiveValue(Value inner, String source) implements Value {

    public static Value wrap(Value value, String source) {
        return value instanceof SensitiveValue || value instanceof ErrorValue ? value : new SensitiveValue(value, source);
    }

    @Override
    public String typeName() {
        return "sensitive " + inner.typeName();
    }

    @Override
    public String display() {
        return "(sensitive)";
    }

    @Override
    public boolean isSensitive() {
        return true;
    }

    @Override
    public Value unwrap() {
        return inner;
    }

    @Override
    public String toString() {
        return "SensitiveValue[(sensitive) from " + source + "]";
    }
}
