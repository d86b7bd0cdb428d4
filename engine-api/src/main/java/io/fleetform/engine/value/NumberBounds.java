package io.fleetform.engine.value;

import java.math.BigDecimal;

/**
 * Fleet numbers are exact decimals, so nothing stops {@code 1e999999999} but a bound: printing
 * it would take a billion digits. Numbers beyond {@code 10^64} or finer than {@code 10^-64}
 * are refused wherever they arise (arithmetic, {@code tonumber}, JSON, user functions); no
 * count, size or address a fleet describes comes near either.
 */
public final class NumberBounds {
    public static final int MAX_EXPONENT = 64;

    private NumberBounds() {
    }

    public static boolean fits(BigDecimal n) {
        if (n.signum() == 0) {
            return true;
        }
        long magnitude = (long) n.precision() - n.scale();
        return magnitude <= MAX_EXPONENT && n.scale() <= MAX_EXPONENT + 34;
    }

    public static String describe() {
        return "numbers lie between -1e" + MAX_EXPONENT + " and 1e" + MAX_EXPONENT;
    }
}
