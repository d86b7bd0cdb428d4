package io.fleetform.engine.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Attribute values to JSON and back, exactly: a decoded value equals the encoded one. JSON
 * has one number type, so the kind is carried by the spelling: integers are Longs, and a
 * BigDecimal is always written with a fraction or an exponent ({@code 1.50}, {@code 1E+30},
 * and {@code 7E0} for a whole decimal), keeping its scale, since {@code 1.5} and {@code 1.50}
 * are different BigDecimals.
 */
final class PlanValues {
    static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    private PlanValues() {
    }

    static JsonNode toJson(Object value) {
        if (value == null) {
            return NODES.nullNode();
        }
        if (value instanceof String s) {
            return NODES.textNode(s);
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return NODES.numberNode(((Number) value).longValue());
        }
        if (value instanceof BigDecimal d) {
            return NODES.rawValueNode(new RawValue(decimal(d)));
        }
        if (value instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode node = NODES.objectNode();
            // Sorted so the same plan always gives the same bytes, whatever map it was built from.
            new TreeMap<>(map).forEach((k, v) -> node.set(String.valueOf(k), toJson(v)));
            return node;
        }
        if (value instanceof Collection<?> list) {
            ArrayNode node = NODES.arrayNode(list.size());
            list.forEach(v -> node.add(toJson(v)));
            return node;
        }
        throw new IllegalArgumentException("a plan cannot hold a value of type " + value.getClass().getName()
                + " (only strings, numbers, booleans, lists and maps)");
    }

    static String decimal(BigDecimal d) {
        String s = d.toString();
        return d.scale() == 0 ? s + "E0" : s;
    }

    static Object fromJson(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isIntegralNumber()) {
            return node.canConvertToLong() ? (Object) node.longValue() : new BigDecimal(node.bigIntegerValue());
        }
        if (node.isNumber()) {
            return node.decimalValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            node.forEach(e -> list.add(fromJson(e)));
            return list;
        }
        Map<String, Object> map = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> map.put(e.getKey(), fromJson(e.getValue())));
        return map;
    }
}
