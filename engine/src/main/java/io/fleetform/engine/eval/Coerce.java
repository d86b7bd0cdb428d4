package io.fleetform.engine.eval;

import io.fleetform.engine.text.Suggest;
import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.engine.model.Secret;
import io.fleetform.engine.value.BoolValue;
import io.fleetform.engine.value.Dimension;
import io.fleetform.engine.value.Entity;
import io.fleetform.engine.value.ErrorValue;
import io.fleetform.engine.value.ListValue;
import io.fleetform.engine.value.MapValue;
import io.fleetform.engine.value.NullValue;
import io.fleetform.engine.value.NumberValue;
import io.fleetform.engine.value.QuantityValue;
import io.fleetform.engine.value.RefValue;
import io.fleetform.engine.value.SensitiveValue;
import io.fleetform.engine.value.StringValue;
import io.fleetform.engine.value.SymbolValue;
import io.fleetform.engine.value.UnknownValue;
import io.fleetform.engine.value.Units;
import io.fleetform.engine.value.Value;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns computed values into the typed fields of the model. Each method reports a mistake as
 * a diagnostic at the attribute's value and returns null; an error value (already reported)
 * returns null silently.
 */
public final class Coerce {
    private Coerce() {
    }

    public static String string(EvalContext context, Located located, String what) {
        Value value = plain(context, located, what, false);
        if (value == null) {
            return null;
        }
        if (value instanceof StringValue s) {
            return s.value();
        }
        if (value instanceof NumberValue || value instanceof BoolValue) {
            return value.display();
        }
        return mismatch(context, located, value, what, "a string");
    }

    public static Long integer(EvalContext context, Located located, String what) {
        Value value = plain(context, located, what, false);
        if (value == null) {
            return null;
        }
        if (value instanceof NumberValue n) {
            if (!n.isInteger()) {
                context.diagnostics().error("not-whole", located.span(), what + " must be a whole number, found "
                        + shortNumber(n), "");
                return null;
            }
            if (n.value().abs().compareTo(MAX_WHOLE) > 0) {
                context.diagnostics().error("out-of-range", located.span(), what + " is too large: " + shortNumber(n),
                        "whole numbers here lie between -" + MAX_WHOLE.toPlainString() + " and "
                                + MAX_WHOLE.toPlainString());
                return null;
            }
            return n.value().longValueExact();
        }
        return mismatch(context, located, value, what, "a whole number");
    }

    /** Any number (a threshold such as {@code 0.01}). */
    public static Double number(EvalContext context, Located located, String what) {
        Value value = plain(context, located, what, false);
        if (value == null) {
            return null;
        }
        if (value instanceof NumberValue n) {
            return n.value().doubleValue();
        }
        return mismatch(context, located, value, what, "a number");
    }

    /** The largest whole number a model field takes: far beyond any real count, far below long's edge. */
    static final BigDecimal MAX_WHOLE = BigDecimal.valueOf(1_000_000_000_000_000L);

    /** A number as a message shows it: at most 30 digits, so a 10,000-digit literal does not fill the screen. */
    static String shortNumber(NumberValue n) {
        String text = n.display();
        return text.length() <= 30 ? text : text.substring(0, 12) + "…(" + text.length() + " digits)";
    }

    public static Long integer(EvalContext context, Located located, String what, long min, long max) {
        Long value = integer(context, located, what);
        if (value != null && (value < min || value > max)) {
            context.diagnostics().error("out-of-range", located.span(), what + " must be between " + min + " and " + max
                    + ", found " + value, "");
            return null;
        }
        return value;
    }

    public static Boolean bool(EvalContext context, Located located, String what) {
        Value value = plain(context, located, what, false);
        if (value == null) {
            return null;
        }
        if (value instanceof BoolValue b) {
            return b.value();
        }
        if (value instanceof SymbolValue s && (s.name().equals("on") || s.name().equals("off"))) {
            return s.name().equals("on");
        }
        return mismatch(context, located, value, what, "true or false");
    }

    public static QuantityValue quantity(EvalContext context, Located located, Dimension dimension, String what) {
        Value value = plain(context, located, what, false);
        if (value == null) {
            return null;
        }
        if (value instanceof QuantityValue q) {
            QuantityValue settled = q.as(dimension);
            if (settled.dimension() == dimension) {
                return settled;
            }
        }
        if (value instanceof NumberValue n && n.value().signum() == 0) {
            return new QuantityValue(BigDecimal.ZERO, dimension);
        }
        return mismatch(context, located, value, what, Units.example(dimension));
    }

    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    /** A size, CPU or rate as a whole number of its base unit (bytes, millicores, bytes/s). */
    public static Long wholeBase(EvalContext context, Located located, Dimension dimension, String what) {
        QuantityValue q = quantity(context, located, dimension, what);
        if (q == null) {
            return null;
        }
        if (q.amount().signum() < 0) {
            context.diagnostics().error("negative", located.span(), what + " cannot be negative", "");
            return null;
        }
        // A scale of 0 or less is whole already: stripping zeros (a new BigDecimal per size read) only for a fraction.
        if (q.amount().scale() > 0 && q.amount().stripTrailingZeros().scale() > 0) {
            context.diagnostics().error("not-whole", located.span(), what + " must be a whole number of "
                    + dimension.baseUnit() + ", found " + q.display(), "");
            return null;
        }
        // Past a long's range the value is too large, not "not whole" (and never wrapped into another number).
        if (q.amount().compareTo(LONG_MAX) > 0) {
            context.diagnostics().error("out-of-range", located.span(), what + " is too large: " + q.display(),
                    "at most " + Long.MAX_VALUE + " " + dimension.baseUnit());
            return null;
        }
        return q.amount().longValueExact();
    }

    public static <T> T enumeration(EvalContext context, Located located, Map<String, T> choices, String what) {
        Value value = plain(context, located, what, false);
        if (value == null) {
            return null;
        }
        String word = value instanceof SymbolValue s ? s.name() : value instanceof StringValue s ? s.value() : null;
        if (word == null && value instanceof BoolValue b) {
            word = b.value() ? "on" : "off";
        }
        if (word != null && choices.containsKey(word)) {
            return choices.get(word);
        }
        String found = word != null ? "\"" + word + "\"" : Operators.article(value.typeName());
        String hint = word != null ? Suggest.didYouMean(word, choices.keySet()) : "";
        context.diagnostics().error("invalid-choice", located.span(), what + " must be one of "
                + String.join(", ", choices.keySet()) + "; found " + found, hint);
        return null;
    }

    /** A reference to a declared entity of one kind, e.g. {@code idc.sh-pudong}. */
    public static Entity reference(EvalContext context, Located located, String kind, String what) {
        Value value = plain(context, located, what, false);
        if (value == null) {
            return null;
        }
        if (value instanceof RefValue ref && ref.entity().kind().equals(kind)) {
            return ref.entity();
        }
        String example = kind + ".NAME";
        if (value instanceof StringValue s) {
            context.diagnostics().error("type-mismatch", located.span(), what + " must be a reference such as "
                    + example + ", found the string \"" + s.value() + "\"", "write it without quotes: " + kind + "."
                    + s.value());
            return null;
        }
        return mismatch(context, located, value, what, "a reference such as " + example);
    }

    public static List<Located> list(EvalContext context, Located located, String what) {
        Value value = plain(context, located, what, false);
        if (value == null) {
            return null;
        }
        if (value instanceof ListValue list) {
            List<Located> elements = new ArrayList<>(list.elements().size());
            for (Value element : list.elements()) {
                elements.add(new Located(located.attribute(), element, located.span()));
            }
            return elements;
        }
        return mismatch(context, located, value, what, "a list");
    }

    public static Map<String, Located> map(EvalContext context, Located located, String what) {
        Value value = plain(context, located, what, false);
        if (value == null) {
            return null;
        }
        if (value instanceof MapValue map) {
            Map<String, Located> entries = new LinkedHashMap<>();
            map.entries().forEach((k, v) -> entries.put(k, new Located(located.attribute(), v, located.span())));
            return entries;
        }
        return mismatch(context, located, value, what, "a map");
    }

    /**
     * A map's entries as computed, or null (after reporting) if it is no map: what {@link #map} checks,
     * without a {@link Located} per entry. Callers take the plain entries as they are and build an
     * entry's {@link Located} and name only for the rest, which may need a message.
     */
    static Map<String, Value> entries(EvalContext context, Located located, String what) {
        Value value = plain(context, located, what, false);
        if (value == null) {
            return null;
        }
        if (value instanceof MapValue map) {
            return map.entries();
        }
        return mismatch(context, located, value, what, "a map");
    }

    /** One entry of a map attribute, located at the attribute's value as {@link #map} does. */
    static Located entry(Located map, Value value) {
        return new Located(map.attribute(), value, map.span());
    }

    /**
     * A plain whole number within {@code [min, max]}, which {@link #integer(EvalContext, Located, String, long, long)}
     * would return without a word; null for anything else, which that method then reports.
     */
    static Long quietInteger(Value value, long min, long max) {
        if (value instanceof NumberValue n && n.isInteger() && n.value().abs().compareTo(MAX_WHOLE) <= 0) {
            long whole = n.value().longValueExact();
            if (whole >= min && whole <= max) {
                return whole;
            }
        }
        return null;
    }

    public static Map<String, String> stringMap(EvalContext context, Located located, String what) {
        Map<String, Value> map = entries(context, located, what);
        if (map == null) {
            return null;
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (Map.Entry<String, Value> e : map.entrySet()) {
            // A string is taken as it is; the entry's name, for a message, is built only for anything else.
            String s = e.getValue() instanceof StringValue text ? text.value()
                    : string(context, entry(located, e.getValue()), what + " \"" + e.getKey() + "\"");
            if (s == null) {
                return null;
            }
            result.put(e.getKey(), s);
        }
        return result;
    }

    /**
     * A credential. A secret reference is what belongs here; a plain string works but is
     * flagged, because it would sit in Git and in plain state.
     */
    public static Secret secret(EvalContext context, Located located, String what) {
        Value value = located.value();
        if (value instanceof ErrorValue) {
            return null;
        }
        if (value instanceof SensitiveValue s) {
            Value inner = s.inner();
            if (inner instanceof UnknownValue) {
                return new Secret(s.source(), null);
            }
            if (inner instanceof StringValue str) {
                return new Secret(s.source(), str.value());
            }
            return mismatch(context, located, inner, what, "a string");
        }
        String plain = string(context, located, what);
        if (plain == null) {
            return null;
        }
        context.diagnostics().add(Diagnostic.warning("plain-secret", located.span(), what
                + " is a plain string in the fleet files", "use secret(\"name\") or env(\"NAME\") so it never lands in Git"));
        return new Secret("literal", plain);
    }

    /** The value without secrets, unknowns or errors; null (after reporting) if it has any. */
    static Value plain(EvalContext context, Located located, String what, boolean allowSensitive) {
        Value value = located.value();
        if (value instanceof ErrorValue) {
            return null;
        }
        if (value instanceof SensitiveValue s) {
            if (!allowSensitive) {
                refuseSensitive(context, located.span(), what, s.source());
                return null;
            }
            value = s.inner();
        }
        if (value instanceof UnknownValue u) {
            context.diagnostics().error("unknown-value", located.span(), what + " must be known before planning",
                    "it depends on a value that is " + u.why());
            return null;
        }
        return value;
    }

    /**
     * Reports that a field the model shows or hands on in clear ({@code labels}, a name, a disk's mount path, an
     * {@code if}) was given a secret, or something computed from one. Only {@code env} and credentials carry secrets:
     * everywhere else the value would reach plans, state, Docker labels or Kubernetes metadata as it is.
     */
    static void refuseSensitive(EvalContext context, io.fleetform.dsl.source.SourceSpan span, String what,
                                String source) {
        context.diagnostics().error("sensitive-value", span, what + " cannot hold a sensitive value",
                "it comes from " + source + ": what " + what + " holds is shown in plans or given to the"
                        + " infrastructure in clear; keep secrets to env and credentials (or nonsensitive(...) when it"
                        + " is no secret)");
    }

    /** True (after reporting) when {@code value} is or holds a secret, for a field that cannot hold one. */
    static boolean refusedSensitive(EvalContext context, Located located, String what) {
        String source = SensitiveValue.sourceIn(located.value());
        if (source == null) {
            return false;
        }
        refuseSensitive(context, located.span(), what, source);
        return true;
    }

    static <T> T mismatch(EvalContext context, Located located, Value value, String what, String expected) {
        if (value instanceof SymbolValue symbol) {
            String close = Suggest.didYouMean(symbol.name(), symbol.namesInScope().get());
            context.diagnostics().error("undefined-name", symbol.span(), "unknown name \"" + symbol.name() + "\"",
                    close.isEmpty() ? "if you meant the text, write \"" + symbol.name() + "\"" : close);
            return null;
        }
        String found = value instanceof NullValue ? "null" : Operators.article(value.typeName()) + " ("
                + abbreviate(value.display()) + ")";
        context.diagnostics().error("type-mismatch", located.span(), what + " must be " + expected + ", found " + found,
                "");
        return null;
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 37) + "...";
    }
}
