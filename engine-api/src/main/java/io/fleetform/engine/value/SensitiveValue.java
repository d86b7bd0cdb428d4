package io.fleetform.engine.value;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /**
     * Whether {@code value} is a secret or holds one at any depth of lists and maps: what {@code issensitive} answers
     * and what an output, a label or a name is checked for. {@code [secret("t")]} holds one, as a Terraform list
     * holding a sensitive element is shown as sensitive. Entities (RefValue) are not looked into, as in {@link #strip}.
     */
    public static boolean holds(Value value) {
        if (value instanceof SensitiveValue) {
            return true;
        }
        if (value instanceof ListValue list) {
            for (Value element : list.elements()) {
                if (holds(element)) {
                    return true;
                }
            }
        } else if (value instanceof MapValue map) {
            for (Value element : map.entries().values()) {
                if (holds(element)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Where the first secret in {@code value} comes from (depth first), or null when it holds none. */
    public static String sourceIn(Value value) {
        return holds(value) ? strip(value).source() : null;
    }

    /** A value with every secret inside it unwrapped, and where the first of them came from (null: none). */
    public record Stripped(Value value, String source) {
    }

    /**
     * {@code value} with the secrets in it unwrapped, at any depth of lists and maps: what a computation that looks at
     * the elements (compares, joins, encodes them) works on, whose result is then sensitive as a whole. The same
     * instance when it holds no secret (no copy of a large list per call).
     */
    public static Stripped strip(Value value) {
        String[] source = {null};
        Value plain = strip(value, source);
        return new Stripped(plain, source[0]);
    }

    private static Value strip(Value value, String[] source) {
        if (value instanceof SensitiveValue s) {
            source[0] = source[0] == null ? s.source() : source[0];
            return strip(s.inner(), source);
        }
        if (value instanceof ListValue list) {
            List<Value> out = null;
            for (int i = 0; i < list.elements().size(); i++) {
                Value element = list.elements().get(i);
                Value plain = strip(element, source);
                if (plain != element && out == null) {
                    out = new ArrayList<>(list.elements().subList(0, i));
                }
                if (out != null) {
                    out.add(plain);
                }
            }
            return out == null ? value : new ListValue(out);
        }
        if (value instanceof MapValue map) {
            LinkedHashMap<String, Value> out = null;
            for (Map.Entry<String, Value> entry : map.entries().entrySet()) {
                Value plain = strip(entry.getValue(), source);
                if (plain != entry.getValue() && out == null) {
                    out = new LinkedHashMap<>();
                    for (Map.Entry<String, Value> before : map.entries().entrySet()) {
                        if (before.getKey().equals(entry.getKey())) {
                            break;
                        }
                        out.put(before.getKey(), before.getValue());
                    }
                }
                if (out != null) {
                    out.put(entry.getKey(), plain);
                }
            }
            return out == null ? value : MapValue.adopt(out);
        }
        return value; // entities (RefValue) are not looked into: their attributes are computed where they are used
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
