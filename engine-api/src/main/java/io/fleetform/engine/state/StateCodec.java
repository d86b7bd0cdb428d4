package io.fleetform.engine.state;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.resource.ResourceLifecycle;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The state's JSON form, shared by every backend so a state can move between them:
 * <pre>
 * {"version":1,"lineage":"…","serial":7,
 *  "resources":[{"address":"zone.s1.service.logic[0]","type":"…","provider":"…",
 *                "attributes":{…},"sensitive":["env"],"depends_on":["zone.s1"],
 *                "lifecycle":{"prevent_destroy":false,"ignore_changes":[],"create_before_destroy":false}}],
 *  "outputs":{…},
 *  "applies":[{"serial":8,"started":"2026-12-01T10:00:00Z","operation":"apply","fleet":"mt2",
 *              "provenance":{"repository":"https://git.example/fleets.git","commit":"1a2b…","ref":"main",
 *                            "author":"Ann &lt;ann@example.com&gt;","path":"mt2","dirty":false}}],
 *  "rollout":{"rollout":"default","revision":"…","commit":"","previous_revision":"…","started":"…",
 *             "status":"failed","reason":"…","stages":[{"name":"canary","status":"failed","reason":"…",
 *             "zones":{"s1":"failed"}}],"previous":[resources as above],"changed":[addresses],
 *             "unfinished":[addresses]}}  (rollout only once a rollout ran)
 * </pre>
 * {@code applies} is absent in states written before it existed, and so is an apply's {@code fleet};
 * {@code provenance} is null for an apply whose files did not come from Git.
 */
public final class StateCodec {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    private static final ObjectMapper COMPACT = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private StateCodec() {
    }

    public static byte[] encode(State state) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", state.version());
        root.put("lineage", state.lineage());
        root.put("serial", state.serial());
        ArrayNode resources = root.putArray("resources");
        for (ResourceState r : state.resources().values()) {
            resources.add(encode(r));
        }
        root.set("outputs", JSON.valueToTree(state.outputs()));
        state.rollout().ifPresent(r -> root.set("rollout", encode(r)));
        ArrayNode applies = root.putArray("applies");
        for (ApplyRecord a : state.applies()) {
            ObjectNode node = applies.addObject();
            node.put("serial", a.serial());
            node.put("started", a.started().toString());
            node.put("operation", a.operation());
            if (!a.fleet().isEmpty()) {
                node.put("fleet", a.fleet());
            }
            node.set("provenance", a.provenance().map(StateCodec::encode).orElse(null));
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @param where names the file or object, for messages
     * @throws StateException saying what is wrong: empty, not JSON, cut short, another format
     *                        version, or a field that is missing or of the wrong kind
     */
    public static State decode(byte[] bytes, String where) throws StateException {
        java.util.Optional<State> usual = StateReader.read(JSON, bytes);
        return usual.isPresent() ? usual.get() : decodeCarefully(bytes, where);
    }

    /** Through a JSON tree, field by field: slower, and says exactly what is wrong with a damaged state. */
    static State decodeCarefully(byte[] bytes, String where) throws StateException {
        JsonNode root;
        try {
            root = JSON.reader().with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .readTree(bytes);
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst()
                    .orElse("");
            throw new StateException(where + " is not a readable state: " + (why.contains("end-of-input")
                    ? "it is cut short (unexpected end-of-input)" : "it is not valid JSON (" + why + ")"), e);
        }
        if (bytes.length == 0 || root == null || root.isMissingNode()) {
            throw new StateException(where + " is not a Fleetform state: it has no format version (the file is empty)");
        }
        if (!root.isObject() || !root.path("version").isIntegralNumber()) {
            throw new StateException(where + " is not a Fleetform state: it has no format version");
        }
        int version = root.path("version").asInt();
        if (version != State.FORMAT_VERSION) {
            throw new StateException(where + ": state format version " + version + " is not supported (this "
                    + "Fleetform reads version " + State.FORMAT_VERSION + (version > State.FORMAT_VERSION
                    ? "; it was written by a newer Fleetform" : "") + ")");
        }
        require(where, root, "lineage", JsonNode::isTextual, "a text");
        require(where, root, "serial", n -> n.isIntegralNumber() && n.asLong() >= 0, "a whole number >= 0");
        require(where, root, "resources", JsonNode::isArray, "a list");
        if (!root.path("outputs").isMissingNode() && !root.path("outputs").isObject()) {
            throw wrongSchema(where, "\"outputs\" is not an object");
        }
        if (root.path("lineage").asText().isBlank()) {
            throw wrongSchema(where, "\"lineage\" is empty");
        }
        try {
            Map<ResourceAddress, ResourceState> resources = new LinkedHashMap<>();
            int index = 0;
            for (JsonNode r : root.path("resources")) {
                if (!r.isObject() || !r.path("address").isTextual() || !r.path("type").isTextual()) {
                    throw wrongSchema(where, "resource number " + (index + 1) + " has no \"address\" or \"type\"");
                }
                ResourceState resource = decodeResource(r);
                if (resources.put(resource.address(), resource) != null) {
                    throw wrongSchema(where, "resource " + resource.address() + " is there twice");
                }
                index++;
            }
            Map<String, Object> outputs = JSON.convertValue(root.path("outputs"), MAP);
            List<ApplyRecord> applies = new ArrayList<>();
            for (JsonNode a : root.path("applies")) {
                applies.add(new ApplyRecord(a.path("serial").asLong(), java.time.Instant.parse(a.path("started").asText()),
                        a.path("operation").asText(), decodeProvenance(a.path("provenance")),
                        a.path("fleet").asText("")));
            }
            return new State(version, root.path("lineage").asText(), root.path("serial").asLong(), resources,
                    outputs == null ? Map.of() : outputs, applies,
                    root.hasNonNull("rollout") ? java.util.Optional.of(decodeRollout(root.get("rollout")))
                            : java.util.Optional.empty());
        } catch (IllegalArgumentException | java.time.format.DateTimeParseException e) {
            throw wrongSchema(where, e.getMessage());
        }
    }

    /** Provenance as JSON, the same in plans and in the state. */
    public static ObjectNode encode(Provenance p) {
        ObjectNode node = JSON.createObjectNode();
        node.put("repository", p.repository());
        node.put("commit", p.commit());
        node.put("ref", p.ref());
        node.put("author", p.author());
        node.put("path", p.path());
        node.put("dirty", p.dirty());
        return node;
    }

    /** Empty for JSON null or a missing field. */
    public static java.util.Optional<Provenance> decodeProvenance(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return java.util.Optional.empty();
        }
        if (!node.path("repository").isTextual() || !node.path("commit").isTextual()) {
            throw new IllegalArgumentException("provenance needs \"repository\" and \"commit\"");
        }
        return java.util.Optional.of(new Provenance(node.path("repository").asText(), node.path("commit").asText(),
                node.path("ref").asText(""), node.path("author").asText(""), node.path("path").asText(""),
                node.path("dirty").asBoolean(false)));
    }

    private static void require(String where, JsonNode root, String field,
                                java.util.function.Predicate<JsonNode> ok, String what) throws StateException {
        JsonNode node = root.path(field);
        if (node.isMissingNode()) {
            throw wrongSchema(where, "it has no \"" + field + "\"");
        }
        if (!ok.test(node)) {
            throw wrongSchema(where, "\"" + field + "\" is not " + what + " (it is " + node + ")");
        }
    }

    private static StateException wrongSchema(String where, String why) {
        return new StateException(where + " is not a readable state: " + why);
    }

    private static ObjectNode encode(RolloutRecord r) {
        ObjectNode node = JSON.createObjectNode();
        node.put("rollout", r.rollout());
        node.put("revision", r.revision());
        node.put("commit", r.commit());
        node.put("previous_revision", r.previousRevision());
        node.put("started", r.started());
        node.put("status", r.status().word());
        node.put("reason", r.reason());
        ArrayNode stages = node.putArray("stages");
        for (RolloutRecord.StageRecord s : r.stages()) {
            ObjectNode stage = stages.addObject();
            stage.put("name", s.name());
            stage.put("status", s.status().word());
            stage.put("reason", s.reason());
            ObjectNode zones = stage.putObject("zones");
            s.zones().forEach((z, st) -> zones.put(z, st.word()));
        }
        ArrayNode previous = node.putArray("previous");
        r.previous().values().forEach(p -> previous.add(encode(p)));
        ArrayNode changed = node.putArray("changed");
        r.changed().forEach(a -> changed.add(a.value()));
        ArrayNode unfinished = node.putArray("unfinished");
        r.unfinished().forEach(a -> unfinished.add(a.value()));
        node.put("previous_commit", r.previousCommit());
        ArrayNode history = node.putArray("history");
        for (RolloutRecord.Past past : r.history()) {
            ObjectNode h = history.addObject();
            h.put("revision", past.revision());
            h.put("commit", past.commit());
            ArrayNode values = h.putArray("previous");
            past.previous().values().forEach(p -> values.add(encode(p)));
            ArrayNode pastChanged = h.putArray("changed");
            past.changed().forEach(a -> pastChanged.add(a.value()));
        }
        return node;
    }

    static RolloutRecord decodeRollout(JsonNode n) {
        List<RolloutRecord.StageRecord> stages = new ArrayList<>();
        for (JsonNode s : n.path("stages")) {
            Map<String, RolloutRecord.Status> zones = new LinkedHashMap<>();
            s.path("zones").fields().forEachRemaining(e -> zones.put(e.getKey(),
                    RolloutRecord.Status.of(e.getValue().asText())));
            stages.add(new RolloutRecord.StageRecord(s.path("name").asText(), RolloutRecord.Status.of(
                    s.path("status").asText()), s.path("reason").asText(), zones));
        }
        Map<ResourceAddress, ResourceState> previous = new LinkedHashMap<>();
        for (JsonNode p : n.path("previous")) {
            ResourceState r = decodeResource(p);
            previous.put(r.address(), r);
        }
        Set<ResourceAddress> changed = new TreeSet<>();
        n.path("changed").forEach(a -> changed.add(new ResourceAddress(a.asText())));
        Set<ResourceAddress> unfinished = new TreeSet<>();
        n.path("unfinished").forEach(a -> unfinished.add(new ResourceAddress(a.asText())));
        return new RolloutRecord(n.path("rollout").asText(), n.path("revision").asText(), n.path("commit").asText(),
                n.path("previous_revision").asText(), n.path("started").asText(),
                RolloutRecord.Status.of(n.path("status").asText("pending")), n.path("reason").asText(), stages,
                previous, changed, unfinished, n.path("previous_commit").asText(""), history(n.path("history")));
    }

    private static List<RolloutRecord.Past> history(JsonNode n) {
        List<RolloutRecord.Past> history = new ArrayList<>();
        for (JsonNode h : n) {
            Map<ResourceAddress, ResourceState> values = new LinkedHashMap<>();
            for (JsonNode p : h.path("previous")) {
                ResourceState r = decodeResource(p);
                values.put(r.address(), r);
            }
            Set<ResourceAddress> changed = new TreeSet<>();
            h.path("changed").forEach(a -> changed.add(new ResourceAddress(a.asText())));
            history.add(new RolloutRecord.Past(h.path("revision").asText(), h.path("commit").asText(""), values,
                    changed));
        }
        return history;
    }

    /** One resource on one line, for journals. */
    public static String encodeLine(ResourceState resource) {
        try {
            return COMPACT.writeValueAsString(encode(resource));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ResourceState decodeLine(String line) throws IOException {
        return decodeResource(COMPACT.readTree(line));
    }

    public static ObjectNode encode(ResourceState r) {
        ObjectNode node = JSON.createObjectNode();
        node.put("address", r.address().value());
        node.put("type", r.type());
        node.put("provider", r.provider());
        node.set("attributes", JSON.valueToTree(r.attributes()));
        node.set("sensitive", JSON.valueToTree(new TreeSet<>(r.sensitive())));
        ArrayNode deps = node.putArray("depends_on");
        r.dependsOn().forEach(d -> deps.add(d.value()));
        ObjectNode lifecycle = node.putObject("lifecycle");
        lifecycle.put("prevent_destroy", r.lifecycle().preventDestroy());
        lifecycle.set("ignore_changes", JSON.valueToTree(r.lifecycle().ignoreChanges()));
        lifecycle.put("create_before_destroy", r.lifecycle().createBeforeDestroy());
        return node;
    }

    private static ResourceState decodeResource(JsonNode r) {
        Map<String, Object> attributes = JSON.convertValue(r.path("attributes"), MAP);
        List<String> sensitive = new ArrayList<>();
        r.path("sensitive").forEach(s -> sensitive.add(s.asText()));
        List<ResourceAddress> deps = new ArrayList<>();
        r.path("depends_on").forEach(d -> deps.add(new ResourceAddress(d.asText())));
        JsonNode l = r.path("lifecycle");
        List<String> ignore = new ArrayList<>();
        l.path("ignore_changes").forEach(i -> ignore.add(i.asText()));
        ResourceLifecycle lifecycle = new ResourceLifecycle(l.path("prevent_destroy").asBoolean(false), ignore,
                l.path("create_before_destroy").asBoolean(false));
        return new ResourceState(new ResourceAddress(r.path("address").asText()), r.path("type").asText(),
                r.path("provider").asText(), attributes == null ? Map.of() : attributes, Set.copyOf(sensitive), deps,
                lifecycle);
    }
}
