package io.fleetform.engine.value;

import java.math.BigDecimal;

/** Numbers are exact decimals: unit arithmetic must never round a byte or a millicore away. */
public record NumberValue(BigDecimal value) implements Value {

    public static NumberValue of(long value) {
        return new NumberValue(BigDecimal.valueOf(value));
    }

    public boolean isInteger() {
        return value.scale() <= 0 || value.signum() == 0 || value.stripTrailingZeros().scale() <= 0;
    }

    @Override
    public String typeName() {
        return "number";
    }

    @Override
    public String display() {
        return value.stripTrailingZeros().toPlainString();
    }
}
