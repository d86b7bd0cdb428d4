package io.fleetform.provider.host.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Collection;
import java.util.stream.Collectors;

/** The one JSON configuration shared by the agent, its ledger file and {@link AgentClient}: strict on input. */
final class Json {
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // an absent (or null) number or boolean field takes its default, 0 or false
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            // a number or boolean where a string belongs is a mistake, not a name ("address": 5)
            .withCoercionConfig(com.fasterxml.jackson.databind.type.LogicalType.Textual, c -> c
                    .setCoercion(com.fasterxml.jackson.databind.cfg.CoercionInputShape.Integer,
                            com.fasterxml.jackson.databind.cfg.CoercionAction.Fail)
                    .setCoercion(com.fasterxml.jackson.databind.cfg.CoercionInputShape.Float,
                            com.fasterxml.jackson.databind.cfg.CoercionAction.Fail)
                    .setCoercion(com.fasterxml.jackson.databind.cfg.CoercionInputShape.Boolean,
                            com.fasterxml.jackson.databind.cfg.CoercionAction.Fail))
            .build();

    private Json() {
    }

    /** Turns a Jackson failure into one sentence a person can act on (no stack, no source dump). */
    static String describe(JsonProcessingException e, Class<?> target) {
        String what = target.getSimpleName();
        if (e instanceof UnrecognizedPropertyException u) {
            Collection<Object> known = u.getKnownPropertyIds();
            String knownText = known == null ? "" : known.stream().map(Object::toString).sorted()
                    .collect(Collectors.joining(", ", "; known fields: ", ""));
            String full = pathOf(u);
            return "unknown field '" + (full.isEmpty() ? u.getPropertyName() : full) + "' in " + what + knownText;
        }
        if (e instanceof ValueInstantiationException v) {
            Throwable cause = v.getCause() != null ? v.getCause() : v;
            return "invalid " + what + where(v) + ": " + cause.getMessage();
        }
        if (e instanceof InvalidFormatException f) {
            return "invalid value " + quote(f.getValue()) + where(f) + " in " + what + ": expected "
                    + simpleType(f.getTargetType());
        }
        if (e instanceof MismatchedInputException m) {
            String msg = m.getOriginalMessage();
            if (m.getTargetType() != null && msg != null && msg.startsWith("Cannot deserialize")) {
                msg = "expected " + simpleType(m.getTargetType());
            }
            if (msg != null && msg.startsWith("No content to map")) {
                return "request body is empty; expected a JSON object for " + what;
            }
            return "invalid " + what + where(m) + ": " + msg;
        }
        if (e instanceof JsonParseException p) {
            JsonLocation loc = p.getLocation();
            return "malformed JSON" + (loc == null ? "" : " at line " + loc.getLineNr() + ", column "
                    + loc.getColumnNr()) + ": " + p.getOriginalMessage();
        }
        if (e instanceof DatabindException d) {
            return "invalid " + what + where(d) + ": " + d.getOriginalMessage();
        }
        return "malformed JSON: " + e.getOriginalMessage();
    }

    private static String where(DatabindException e) {
        String p = pathOf(e);
        return p.isEmpty() ? "" : " at '" + p + "'";
    }

    private static String pathOf(DatabindException e) {
        if (!(e instanceof JsonMappingException m) || m.getPath().isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : m.getPath()) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String simpleType(Class<?> c) {
        if (c == null) {
            return "another type";
        }
        if (c == long.class || c == Long.class || c == int.class || c == Integer.class) {
            return "an integer";
        }
        if (c == boolean.class || c == Boolean.class) {
            return "true or false";
        }
        if (c == String.class) {
            return "a string";
        }
        if (Collection.class.isAssignableFrom(c)) {
            return "an array";
        }
        if (java.util.Map.class.isAssignableFrom(c) || c.isRecord()) {
            return "an object";
        }
        return c.getSimpleName();
    }

    private static String quote(Object v) {
        return v instanceof String s ? "'" + s + "'" : String.valueOf(v);
    }
}
