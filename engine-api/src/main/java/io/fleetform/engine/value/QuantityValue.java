package io.fleetform.engine.value;

import java.math.BigDecimal;

/**
 * A number with a dimension, stored exactly in the dimension's base unit (bytes,
 * millicores, milliseconds, bytes/s). For {@link Dimension#CPU_OR_DURATION} the amount is the
 * number as written. {@code pinned} marks exclusive CPU cores ({@code 8 cores pinned}).
 *
 * @param text how the user wrote it, for messages; empty for computed values
 */
public record QuantityValue(BigDecimal amount, Dimension dimension, boolean pinned, String text) implements Value {

    public QuantityValue(BigDecimal amount, Dimension dimension) {
        this(amount, dimension, false, "");
    }

    public QuantityValue withPinned() {
        return new QuantityValue(amount, dimension, true, text.isEmpty() ? "" : text + " pinned");
    }

    /** Settles an ambiguous {@code m} quantity as a CPU or a duration. */
    public QuantityValue as(Dimension target) {
        if (dimension != Dimension.CPU_OR_DURATION || target == Dimension.CPU_OR_DURATION) {
            return this;
        }
        BigDecimal base = target == Dimension.DURATION ? amount.multiply(BigDecimal.valueOf(60_000)) : amount;
        return new QuantityValue(base, target, pinned, text);
    }

    @Override
    public String typeName() {
        return dimension.label();
    }

    @Override
    public String display() {
        return text.isEmpty() ? Units.format(this) : text;
    }
}
