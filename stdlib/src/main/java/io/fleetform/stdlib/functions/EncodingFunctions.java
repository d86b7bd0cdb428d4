package io.fleetform.stdlib.functions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetform.engine.eval.function.FleetFunction;
import io.fleetform.engine.eval.function.FunctionError;
import io.fleetform.engine.value.BoolValue;
import io.fleetform.engine.value.ListValue;
import io.fleetform.engine.value.MapValue;
import io.fleetform.engine.value.NullValue;
import io.fleetform.engine.value.NumberValue;
import io.fleetform.engine.value.QuantityValue;
import io.fleetform.engine.value.StringValue;
import io.fleetform.engine.value.Value;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Hashes, Base64 and JSON. */
final class EncodingFunctions {
    /**
     * The mappers, made on first use: building them loads several hundred Jackson classes, a
     * cost every command would pay at start-up though few fleets call these functions.
     */
    private static final class Mappers {
        /** Floats as BigDecimal: as doubles, 1e999 would be Infinity, which no fleet number can hold. */
        static final ObjectMapper JSON = new ObjectMapper()
                .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

        /** Block style, no document marker, quotes only where YAML needs them: what a config file looks like. */
        static final ObjectMapper YAML = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper()
                .disable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.MINIMIZE_QUOTES);
    }

    private EncodingFunctions() {
    }

    static List<FleetFunction> all() {
        return List.of(
                Fn.of("sha256(s string) string", 1, 1, (a, c) -> hash("SHA-256", a.string(0))),
                Fn.of("md5(s string) string", 1, 1, (a, c) -> hash("MD5", a.string(0))),
                Fn.of("base64encode(s string) string", 1, 1, (a, c) -> new StringValue(
                        Base64.getEncoder().encodeToString(a.string(0).getBytes(StandardCharsets.UTF_8)))),
                Fn.of("base64decode(s string) string", 1, 1, (a, c) -> {
                    try {
                        return new StringValue(new String(Base64.getDecoder().decode(a.string(0)),
                                StandardCharsets.UTF_8));
                    } catch (IllegalArgumentException e) {
                        throw FunctionError.at(0, "not Base64: " + e.getMessage());
                    }
                }),
                Fn.of("jsonencode(value) string", 1, 1, (a, c) -> {
                    try {
                        return new StringValue(Mappers.JSON.writeValueAsString(toJson(a.get(0))));
                    } catch (JsonProcessingException e) {
                        throw FunctionError.at(0, e.getOriginalMessage());
                    }
                }),
                Fn.of("yamlencode(value) string", 1, 1, (a, c) -> {
                    try {
                        return new StringValue(Mappers.YAML.writeValueAsString(toJson(a.get(0))));
                    } catch (JsonProcessingException e) {
                        throw FunctionError.at(0, e.getOriginalMessage());
                    }
                }),
                Fn.of("jsondecode(s string) value", 1, 1, (a, c) -> {
                    try {
                        return fromJson(Mappers.JSON.readTree(a.string(0)));
                    } catch (JsonProcessingException e) {
                        throw FunctionError.at(0, "not JSON: " + e.getOriginalMessage());
                    }
                }));
    }

    private static Value hash(String algorithm, String text) {
        try {
            byte[] digest = MessageDigest.getInstance(algorithm).digest(text.getBytes(StandardCharsets.UTF_8));
            return new StringValue(HexFormat.of().formatHex(digest));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is part of every JDK", e);
        }
    }

    private static Object toJson(Value v) throws FunctionError {
        if (v instanceof StringValue s) {
            return s.value();
        }
        if (v instanceof NumberValue n) {
            return n.value();
        }
        if (v instanceof BoolValue b) {
            return b.value();
        }
        if (v instanceof NullValue) {
            return null;
        }
        if (v instanceof QuantityValue q) {
            return q.display();
        }
        if (v instanceof ListValue l) {
            List<Object> out = new ArrayList<>();
            for (Value e : l.elements()) {
                out.add(toJson(e));
            }
            return out;
        }
        if (v instanceof MapValue m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<String, Value> e : m.entries().entrySet()) {
                out.put(e.getKey(), toJson(e.getValue()));
            }
            return out;
        }
        return StringFunctions.text(v, 0);
    }

    private static Value fromJson(JsonNode node) throws io.fleetform.engine.eval.function.FunctionError {
        if (node.isTextual()) {
            return new StringValue(node.asText());
        }
        if (node.isNumber()) {
            java.math.BigDecimal n;
            try {
                n = node.decimalValue();
            } catch (NumberFormatException e) {
                throw io.fleetform.engine.eval.function.FunctionError.at(0, "the number " + node + " is not exact");
            }
            if (!io.fleetform.engine.value.NumberBounds.fits(n)) {
                throw new io.fleetform.engine.eval.function.FunctionError("a number in the JSON is too large or too"
                        + " precise", 0, io.fleetform.engine.value.NumberBounds.describe());
            }
            return new NumberValue(n);
        }
        if (node.isBoolean()) {
            return BoolValue.of(node.asBoolean());
        }
        if (node.isArray()) {
            List<Value> out = new ArrayList<>();
            for (JsonNode e : node) {
                out.add(fromJson(e));
            }
            return new ListValue(out);
        }
        if (node.isObject()) {
            Map<String, Value> out = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> e = fields.next();
                out.put(e.getKey(), fromJson(e.getValue()));
            }
            return new MapValue(out);
        }
        return NullValue.INSTANCE;
    }
}
