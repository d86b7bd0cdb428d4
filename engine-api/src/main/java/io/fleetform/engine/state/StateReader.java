package io.fleetform.engine.state;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.resource.ResourceLifecycle;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a well-formed state straight from the parser's tokens into resources, without the
 * intermediate JSON tree and the per-resource tree-to-map conversion {@link StateCodec} used to make
 * (at 220,000 instances those were most of a plan's allocation and a quarter of its time).
 *
 * <p>It only takes the shape {@link StateCodec#encode} writes. Anything else — not JSON, cut
 * short, a field of another kind, a resource twice, another format version — answers empty, and
 * the caller decodes the same bytes the careful way, which says what is wrong. So a damaged state
 * gets the same message as before, and a good one the same {@link State}.
 */
final class StateReader {
    /** The shape is not the one written: let the careful decoder read it and explain. */
    private static final class Unusual extends Exception {
        Unusual() {
            super(null, null, false, false);
        }
    }

    private static final Unusual UNUSUAL = new Unusual();

    private final ObjectMapper json;
    private final JsonParser p;
    /** One instance of each repeated text value (images, regions, pool names), not one per resource. */
    private final Map<String, String> texts = new HashMap<>();

    private StateReader(ObjectMapper json, JsonParser p) {
        this.json = json;
        this.p = p;
    }

    static Optional<State> read(ObjectMapper json, byte[] bytes) {
        try (JsonParser p = json.getFactory().createParser(bytes)) {
            State state = new StateReader(json, p).state();
            // Anything after the state (two writes run together, a stray paste) is damage: the careful path says so.
            return p.nextToken() == null ? Optional.of(state) : Optional.empty();
        } catch (Unusual | IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private State state() throws IOException, Unusual {
        expect(p.nextToken(), JsonToken.START_OBJECT);
        Long version = null;
        String lineage = null;
        Long serial = null;
        Map<ResourceAddress, ResourceState> resources = null;
        Map<String, Object> outputs = Map.of();
        List<ApplyRecord> applies = List.of();
        Optional<RolloutRecord> rollout = Optional.empty();
        Set<String> seen = new HashSet<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            if (!seen.add(field)) {
                throw UNUSUAL;
            }
            JsonToken t = p.nextToken();
            switch (field) {
                case "version" -> version = whole(t);
                case "lineage" -> lineage = text(t);
                case "serial" -> serial = whole(t);
                case "resources" -> resources = resources(t);
                case "outputs" -> {
                    expect(t, JsonToken.START_OBJECT);
                    outputs = object();
                }
                case "applies" -> applies = applies(json.readTree(p));
                case "rollout" -> {
                    JsonNode node = json.readTree(p);
                    rollout = node == null || node.isNull() ? Optional.empty()
                            : Optional.of(StateCodec.decodeRollout(node));
                }
                default -> p.skipChildren();
            }
        }
        expect(p.currentToken(), JsonToken.END_OBJECT);
        if (p.nextToken() != null || version == null || version != State.FORMAT_VERSION || lineage == null
                || lineage.isBlank() || serial == null || serial < 0 || resources == null) {
            throw UNUSUAL;
        }
        return new State(State.FORMAT_VERSION, lineage, serial, resources, outputs, applies, rollout);
    }

    private Map<ResourceAddress, ResourceState> resources(JsonToken t) throws IOException, Unusual {
        expect(t, JsonToken.START_ARRAY);
        Map<ResourceAddress, ResourceState> resources = new LinkedHashMap<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            ResourceState r = resource(p.currentToken());
            if (resources.put(r.address(), r) != null) {
                throw UNUSUAL;
            }
        }
        return resources;
    }

    private ResourceState resource(JsonToken t) throws IOException, Unusual {
        expect(t, JsonToken.START_OBJECT);
        String address = null;
        String type = null;
        String provider = "";
        Map<String, Object> attributes = Map.of();
        List<String> sensitive = List.of();
        List<ResourceAddress> dependsOn = List.of();
        ResourceLifecycle lifecycle = ResourceLifecycle.DEFAULT;
        Set<String> seen = new HashSet<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            if (!seen.add(field)) {
                throw UNUSUAL;
            }
            JsonToken v = p.nextToken();
            switch (field) {
                case "address" -> address = text(v);
                case "type" -> type = shared(text(v));
                case "provider" -> provider = shared(text(v));
                case "attributes" -> {
                    expect(v, JsonToken.START_OBJECT);
                    attributes = object();
                }
                case "sensitive" -> sensitive = texts(v);
                case "depends_on" -> {
                    List<ResourceAddress> deps = new ArrayList<>();
                    for (String d : texts(v)) {
                        deps.add(new ResourceAddress(d));
                    }
                    dependsOn = deps;
                }
                case "lifecycle" -> lifecycle = lifecycle(v);
                default -> p.skipChildren();
            }
        }
        if (address == null || type == null) {
            throw UNUSUAL;
        }
        return new ResourceState(new ResourceAddress(address), type, provider, attributes, Set.copyOf(sensitive),
                dependsOn, lifecycle);
    }

    private ResourceLifecycle lifecycle(JsonToken t) throws IOException, Unusual {
        expect(t, JsonToken.START_OBJECT);
        boolean preventDestroy = false;
        boolean createBeforeDestroy = false;
        List<String> ignore = List.of();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "prevent_destroy" -> preventDestroy = bool(v);
                case "create_before_destroy" -> createBeforeDestroy = bool(v);
                case "ignore_changes" -> ignore = texts(v);
                default -> p.skipChildren();
            }
        }
        return !preventDestroy && !createBeforeDestroy && ignore.isEmpty() ? ResourceLifecycle.DEFAULT
                : new ResourceLifecycle(preventDestroy, ignore, createBeforeDestroy);
    }

    private List<ApplyRecord> applies(JsonNode node) throws Unusual {
        if (node == null || !node.isArray()) {
            throw UNUSUAL;
        }
        List<ApplyRecord> applies = new ArrayList<>();
        for (JsonNode a : node) {
            applies.add(new ApplyRecord(a.path("serial").asLong(), java.time.Instant.parse(a.path("started").asText()),
                    a.path("operation").asText(), StateCodec.decodeProvenance(a.path("provenance")),
                    a.path("fleet").asText("")));
        }
        return applies;
    }

    /** A JSON object as plain data (nulls kept: the records normalising it drop them, as for the tree). */
    private Map<String, Object> object() throws IOException, Unusual {
        Map<String, Object> map = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            map.put(key, value(p.nextToken()));
        }
        return map;
    }

    private Object value(JsonToken t) throws IOException, Unusual {
        if (t == null) {
            throw UNUSUAL;
        }
        return switch (t) {
            case VALUE_STRING -> shared(p.getText());
            case VALUE_NUMBER_INT -> p.getNumberValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            case START_OBJECT -> object();
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                JsonToken x;
                while ((x = p.nextToken()) != JsonToken.END_ARRAY) {
                    list.add(value(x));
                }
                yield list;
            }
            default -> throw UNUSUAL;
        };
    }

    private List<String> texts(JsonToken t) throws IOException, Unusual {
        expect(t, JsonToken.START_ARRAY);
        List<String> out = new ArrayList<>();
        JsonToken x;
        while ((x = p.nextToken()) != JsonToken.END_ARRAY) {
            out.add(text(x));
        }
        return out;
    }

    private String text(JsonToken t) throws IOException, Unusual {
        expect(t, JsonToken.VALUE_STRING);
        return p.getText();
    }

    private long whole(JsonToken t) throws IOException, Unusual {
        expect(t, JsonToken.VALUE_NUMBER_INT);
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw UNUSUAL;
        }
        return p.getLongValue();
    }

    private boolean bool(JsonToken t) throws Unusual {
        if (t == JsonToken.VALUE_TRUE) {
            return true;
        }
        if (t == JsonToken.VALUE_FALSE) {
            return false;
        }
        throw UNUSUAL;
    }

    private String shared(String s) {
        if (s.length() > 64) {
            return s;
        }
        String known = texts.putIfAbsent(s, s);
        return known == null ? s : known;
    }

    private static void expect(JsonToken actual, JsonToken wanted) throws Unusual {
        if (actual != wanted) {
            throw UNUSUAL;
        }
    }
}
