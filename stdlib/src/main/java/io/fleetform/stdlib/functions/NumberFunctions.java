package io.fleetform.stdlib.functions;

import io.fleetform.engine.eval.function.FleetFunction;
import io.fleetform.engine.eval.function.FunctionError;
import io.fleetform.engine.value.Dimension;
import io.fleetform.engine.value.NumberValue;
import io.fleetform.engine.value.QuantityValue;
import io.fleetform.engine.value.StringValue;
import io.fleetform.engine.value.Value;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

final class NumberFunctions {
    private NumberFunctions() {
    }

    static List<FleetFunction> all() {
        return List.of(
                Fn.of("min(numbers...) number", 1, Integer.MAX_VALUE, (a, c) -> extreme(a, -1)),
                Fn.of("max(numbers...) number", 1, Integer.MAX_VALUE, (a, c) -> extreme(a, 1)),
                Fn.of("abs(n number) number", 1, 1, (a, c) -> new NumberValue(a.number(0).abs())),
                Fn.of("ceil(n number) number", 1, 1,
                        (a, c) -> new NumberValue(a.number(0).setScale(0, RoundingMode.CEILING))),
                Fn.of("floor(n number) number", 1, 1,
                        (a, c) -> new NumberValue(a.number(0).setScale(0, RoundingMode.FLOOR))),
                Fn.of("tonumber(s string) number", 1, 1, (a, c) -> {
                    if (a.get(0) instanceof NumberValue n) {
                        return n;
                    }
                    BigDecimal n;
                    try {
                        n = new BigDecimal(a.string(0).strip());
                    } catch (NumberFormatException e) {
                        throw FunctionError.at(0, "\"" + abbreviate(a.string(0)) + "\" is not a number");
                    }
                    if (!io.fleetform.engine.value.NumberBounds.fits(n)) {
                        throw new FunctionError("\"" + abbreviate(a.string(0)) + "\" is too large or too precise", 0,
                                io.fleetform.engine.value.NumberBounds.describe());
                    }
                    return new NumberValue(n);
                }),
                Fn.of("bytes(size) number", 1, 1, (a, c) -> base(a, Dimension.SIZE, BigDecimal.ONE)),
                Fn.of("cores(cpu) number", 1, 1, (a, c) -> base(a, Dimension.CPU, BigDecimal.valueOf(1000))),
                Fn.of("seconds(duration) number", 1, 1, (a, c) -> base(a, Dimension.DURATION, BigDecimal.valueOf(1000))));
    }

    /** The number inside a quantity, in a chosen unit: {@code bytes(1Ki)} is 1024, {@code cores(500m)} 0.5. */
    private static Value base(Args a, Dimension dimension, BigDecimal per) throws FunctionError {
        QuantityValue q = a.quantity(0).as(dimension);
        if (q.dimension() != dimension) {
            throw a.wrong(0, "a " + dimension.label());
        }
        return new NumberValue(q.amount().divide(per).stripTrailingZeros());
    }

    private static Value extreme(Args a, int sign) throws FunctionError {
        List<Value> values = a.size() == 1 && a.get(0) instanceof io.fleetform.engine.value.ListValue l ? l.elements()
                : a.all();
        if (values.isEmpty()) {
            throw FunctionError.at(0, "needs at least one number");
        }
        Value best = null;
        for (int i = 0; i < values.size(); i++) {
            Value v = values.get(i);
            if (!(v instanceof NumberValue) && !(v instanceof QuantityValue)) {
                throw FunctionError.at(Math.min(i, a.size() - 1), "argument " + (i + 1)
                        + " must be a number or a quantity");
            }
            if (best == null || compare(v, best) * sign > 0) {
                best = v;
            }
        }
        return best;
    }

    private static int compare(Value a, Value b) throws FunctionError {
        if (a instanceof NumberValue x && b instanceof NumberValue y) {
            return x.value().compareTo(y.value());
        }
        if (a instanceof QuantityValue x && b instanceof QuantityValue y && x.dimension() == y.dimension()) {
            return x.amount().compareTo(y.amount());
        }
        throw new FunctionError("cannot compare " + a.typeName() + " with " + b.typeName());
    }

    static Value text(String s) {
        return new StringValue(s);
    }

    static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 37) + "...";
    }
}
