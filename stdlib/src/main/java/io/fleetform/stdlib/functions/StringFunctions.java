package io.fleetform.stdlib.functions;

import io.fleetform.engine.eval.function.FleetFunction;
import io.fleetform.engine.eval.function.FunctionError;
import io.fleetform.engine.value.ListValue;
import io.fleetform.engine.value.NumberValue;
import io.fleetform.engine.value.QuantityValue;
import io.fleetform.engine.value.StringValue;
import io.fleetform.engine.value.Value;
import java.util.ArrayList;
import java.util.IllegalFormatException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

final class StringFunctions {
    private StringFunctions() {
    }

    static List<FleetFunction> all() {
        return List.of(
                Fn.of("upper(s string) string", 1, 1, (a, c) -> new StringValue(a.string(0).toUpperCase(Locale.ROOT))),
                Fn.of("lower(s string) string", 1, 1, (a, c) -> new StringValue(a.string(0).toLowerCase(Locale.ROOT))),
                Fn.of("trim(s string) string", 1, 1, (a, c) -> new StringValue(a.string(0).strip())),
                Fn.of("format(spec string, values...) string", 1, Integer.MAX_VALUE, StringFunctions::format),
                Fn.of("join(separator string, list list) string", 2, 2, (a, c) -> {
                    List<String> parts = new ArrayList<>();
                    for (Value v : a.list(1)) {
                        parts.add(text(v, 1));
                    }
                    return new StringValue(String.join(a.string(0), parts));
                }),
                Fn.of("split(separator string, s string) list", 2, 2, (a, c) -> {
                    List<Value> parts = new ArrayList<>();
                    for (String part : a.string(1).split(Pattern.quote(a.string(0)), -1)) {
                        parts.add(new StringValue(part));
                    }
                    return new ListValue(parts);
                }),
                Fn.of("replace(s string, find string, replacement string) string", 3, 3,
                        (a, c) -> new StringValue(a.string(0).replace(a.string(1), a.string(2)))),
                Fn.of("substr(s string, offset number, length number) string", 3, 3, (a, c) -> {
                    String s = a.string(0);
                    int offset = Math.max(0, Math.min(a.integer(1), s.length()));
                    int length = a.integer(2) < 0 ? s.length() - offset : Math.min(a.integer(2), s.length() - offset);
                    return new StringValue(s.substring(offset, offset + length));
                }),
                Fn.of("startswith(s string, prefix string) bool", 2, 2,
                        (a, c) -> io.fleetform.engine.value.BoolValue.of(a.string(0).startsWith(a.string(1)))),
                Fn.of("endswith(s string, suffix string) bool", 2, 2,
                        (a, c) -> io.fleetform.engine.value.BoolValue.of(a.string(0).endsWith(a.string(1)))),
                Fn.of("strcontains(s string, part string) bool", 2, 2,
                        (a, c) -> io.fleetform.engine.value.BoolValue.of(a.string(0).contains(a.string(1)))),
                Fn.of("regex_match(pattern string, s string) bool", 2, 2, (a, c) -> {
                    java.util.regex.Matcher m = Regex.matcher(a, 0, 1);
                    return io.fleetform.engine.value.BoolValue.of(Regex.bounded(m::matches));
                }),
                Fn.of("regex(pattern string, s string) value", 2, 2, (a, c) -> Regex.first(a)),
                Fn.of("regexall(pattern string, s string) list", 2, 2, (a, c) -> Regex.all(a)),
                Fn.of("tostring(v) string", 1, 1, (a, c) -> new StringValue(text(a.get(0), 0))));
    }

    /** {@code format("%s-%03d", name, index)}: Java's format with %s, %d (whole numbers), %f, %%. */
    private static Value format(Args a, io.fleetform.engine.eval.function.CallContext c) throws FunctionError {
        Object[] values = new Object[a.size() - 1];
        for (int i = 1; i < a.size(); i++) {
            Value v = a.get(i);
            if (v instanceof NumberValue n) {
                values[i - 1] = n.isInteger() ? (Object) n.value().toBigInteger() : n.value();
            } else {
                values[i - 1] = text(v, i);
            }
        }
        if (Pattern.compile("%[-#+ 0,(<]*[0-9]{4,}|\\.[0-9]{4,}").matcher(a.string(0)).find()) {
            throw FunctionError.at(0, "a width or precision in \"" + a.string(0) + "\" is above 999");
        }
        try {
            return new StringValue(String.format(Locale.ROOT, a.string(0), values));
        } catch (IllegalFormatException e) {
            throw new FunctionError("cannot format \"" + a.string(0) + "\": " + e.getMessage(), 0,
                    "use %s for text, %d for whole numbers, %03d for zero padding");
        }
    }

    static String text(Value v, int index) throws FunctionError {
        if (v instanceof StringValue s) {
            return s.value();
        }
        if (v instanceof NumberValue || v instanceof QuantityValue || v instanceof io.fleetform.engine.value.BoolValue) {
            return v.display();
        }
        if (v instanceof io.fleetform.engine.value.SymbolValue s) {
            return s.name();
        }
        if (v instanceof io.fleetform.engine.value.RefValue r) {
            return r.entity().name();
        }
        throw FunctionError.at(index, "cannot turn " + v.typeName() + " into a string");
    }
}
