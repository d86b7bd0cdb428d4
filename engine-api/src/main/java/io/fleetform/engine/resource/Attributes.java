package io.fleetform.engine.resource;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Resource attributes are plain, immutable JSON-like data: String, Long, BigDecimal, Boolean,
 * List and Map (keys sorted, so equal data compares and serialises equal). No nulls: an absent
 * attribute is simply not there.
 */
public final class Attributes {
    private Attributes() {
    }

    public static Map<String, Object> normalize(Map<String, ?> attributes) {
        Map<String, Object> sorted = new TreeMap<>();
        attributes.forEach((k, v) -> {
            if (v != null) {
                sorted.put(k, value(v));
            }
        });
        return Collections.unmodifiableMap(new LinkedHashMap<>(sorted));
    }

    private static Object value(Object v) {
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof BigDecimal d) {
            try {
                return d.longValueExact();
            } catch (ArithmeticException notWhole) {
                return d.stripTrailingZeros();
            }
        }
        if (v instanceof Double || v instanceof Float) {
            return value(new BigDecimal(v.toString()));
        }
        if (v instanceof Map<?, ?> map) {
            Map<String, Object> copy = new TreeMap<>();
            map.forEach((k, x) -> {
                if (x != null) {
                    copy.put(String.valueOf(k), value(x));
                }
            });
            return Collections.unmodifiableMap(new LinkedHashMap<>(copy));
        }
        if (v instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            for (Object x : list) {
                if (x != null) {
                    copy.add(value(x));
                }
            }
            return Collections.unmodifiableList(copy);
        }
        if (v instanceof String || v instanceof Long || v instanceof Boolean) {
            return v;
        }
        return v.toString();
    }
}
