package io.fleetform.engine.value;

/**
 * A value computed from fleet files. Values are immutable. Two kinds carry information
 * about the computation rather than data: {@link UnknownValue} (known only after planning,
 * such as an instance's IP) and {@link ErrorValue} (an error already reported; using it
 * reports nothing more, so one mistake yields one message). {@link SensitiveValue} marks a
 * secret and survives every operation applied to it.
 */
public sealed interface Value
        permits NullValue, BoolValue, NumberValue, StringValue, QuantityValue, MountValue, ListValue, MapValue,
        SymbolValue, RefValue, UnknownValue, ErrorValue, SensitiveValue {

    /** The name of the type as users see it in messages. */
    String typeName();

    /** The value as a user would write it (secrets are masked). */
    String display();

    default boolean isSensitive() {
        return false;
    }

    /** The value inside a sensitive wrapper, or this value. */
    default Value unwrap() {
        return this;
    }
}
