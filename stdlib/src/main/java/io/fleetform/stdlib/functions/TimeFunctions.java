package io.fleetform.stdlib.functions;

import io.fleetform.engine.eval.function.FleetFunction;
import io.fleetform.engine.eval.function.FunctionError;
import io.fleetform.engine.value.Dimension;
import io.fleetform.engine.value.QuantityValue;
import io.fleetform.engine.value.StringValue;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Time arithmetic on RFC 3339 timestamps. There is deliberately no "now": a value that changes
 * on every run would make every plan show a change.
 */
final class TimeFunctions {
    private TimeFunctions() {
    }

    static List<FleetFunction> all() {
        return List.of(
                Fn.of("timeadd(timestamp string, duration) string", 2, 2, (a, c) -> {
                    Instant start = instant(a, 0);
                    QuantityValue q = a.quantity(1).as(Dimension.DURATION);
                    if (q.dimension() != Dimension.DURATION) {
                        throw a.wrong(1, "a duration such as 10m");
                    }
                    long millis;
                    try {
                        millis = q.amount().setScale(0, java.math.RoundingMode.DOWN).longValueExact();
                        return new StringValue(start.plus(Duration.ofMillis(millis)).toString());
                    } catch (ArithmeticException | java.time.DateTimeException e) {
                        throw FunctionError.at(1, "the time would be beyond the year 1000000000");
                    }
                }),
                Fn.of("formatdate(pattern string, timestamp string) string", 2, 2, (a, c) -> {
                    Instant t = instant(a, 1);
                    try {
                        return new StringValue(DateTimeFormatter.ofPattern(a.string(0)).withZone(ZoneOffset.UTC)
                                .format(t));
                    } catch (IllegalArgumentException e) {
                        throw FunctionError.at(0, "invalid pattern: " + e.getMessage());
                    }
                }));
    }

    private static Instant instant(Args a, int i) throws FunctionError {
        try {
            return Instant.parse(a.string(i));
        } catch (DateTimeParseException e) {
            throw FunctionError.at(i, "\"" + a.string(i) + "\" is not an RFC 3339 timestamp such as "
                    + "2026-11-24T10:00:00Z");
        }
    }
}
