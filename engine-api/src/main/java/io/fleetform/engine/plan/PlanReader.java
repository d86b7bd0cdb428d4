package io.fleetform.engine.plan;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.resource.ResourceLifecycle;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the JSON written by {@link PlanCodec}. Strict, because apply acts on what it reads: a
 * missing or mistyped field is an error naming the field ({@code changes[3].action}), never a
 * default.
 */
final class PlanReader {
    // Decimals as BigDecimal, trailing zeros kept: "1.50" must come back as 1.50, not 1.5 or 1.5d.
    private static final ObjectMapper JSON = new ObjectMapper().setNodeFactory(PlanValues.NODES)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);

    private final String where;

    PlanReader(String where) {
        this.where = where;
    }

    Plan read(byte[] bytes) throws PlanFormatException {
        JsonNode root = parse(bytes);
        if (!root.isObject()) {
            throw new PlanFormatException(where + " is not a Fleetform plan: it is JSON, but not an object");
        }
        JsonNode version = root.get("format_version");
        if (version == null) {
            throw new PlanFormatException(where + " is not a Fleetform plan: it has no \"format_version\"");
        }
        if (!version.isIntegralNumber() || version.asLong() != Plan.FORMAT_VERSION) {
            throw new PlanFormatException(where + " has plan format version " + describe(version)
                    + ", but this Fleetform reads only version " + Plan.FORMAT_VERSION
                    + "; make the plan again with this version of Fleetform");
        }
        if (root.path("redacted").asBoolean(false)) {
            throw new PlanFormatException(where + " is a display copy of a plan (from show --json) with its secrets "
                    + "masked, so it cannot be applied; use the file written by plan -out");
        }
        JsonNode state = object(root, "state", "");
        List<ResourceChange> changes = new ArrayList<>();
        JsonNode changeNodes = array(root, "changes", "");
        for (int i = 0; i < changeNodes.size(); i++) {
            changes.add(change(changeNodes.get(i), "changes[" + i + "]"));
        }
        List<Drift> drift = new ArrayList<>();
        JsonNode driftNodes = array(root, "drift", "");
        for (int i = 0; i < driftNodes.size(); i++) {
            drift.add(drift(driftNodes.get(i), "drift[" + i + "]"));
        }
        Map<String, String> outputs = new LinkedHashMap<>();
        JsonNode outputNodes = object(root, "outputs", "");
        for (var e : (Iterable<Map.Entry<String, JsonNode>>) outputNodes::fields) {
            outputs.put(e.getKey(), text(outputNodes, e.getKey(), "outputs"));
        }
        Plan plan = new Plan(version.intValue(), mode(root), text(root, "fleet", ""), text(state, "lineage", "state"),
                number(state, "serial", "state"), text(root, "config_hash", ""), instant(root), changes, drift, outputs,
                strings(root, "warnings", ""), provenance(root), rollout(root.path("rollout")), policy(root));
        checkSummary(object(root, "summary", ""), plan);
        return plan;
    }

    private static PlanRollout rollout(JsonNode node) {
        if (!node.isObject()) {
            return PlanRollout.NONE;
        }
        Map<io.fleetform.engine.address.ResourceAddress, String> stages = new LinkedHashMap<>();
        node.path("stages").fields().forEachRemaining(e -> stages.put(
                new io.fleetform.engine.address.ResourceAddress(e.getKey()), e.getValue().asText()));
        Map<io.fleetform.engine.address.ResourceAddress, String> disruption = new LinkedHashMap<>();
        node.path("disruption").fields().forEachRemaining(e -> disruption.put(
                new io.fleetform.engine.address.ResourceAddress(e.getKey()), e.getValue().asText()));
        java.util.Set<io.fleetform.engine.address.ResourceAddress> unfinished = new java.util.TreeSet<>();
        node.path("unfinished").forEach(a -> unfinished.add(new io.fleetform.engine.address.ResourceAddress(a.asText())));
        Map<String, Map<io.fleetform.engine.address.ResourceAddress, String>> every = new LinkedHashMap<>();
        node.path("rollouts").fields().forEachRemaining(r -> {
            Map<io.fleetform.engine.address.ResourceAddress, String> of = new LinkedHashMap<>();
            r.getValue().fields().forEachRemaining(e -> of.put(
                    new io.fleetform.engine.address.ResourceAddress(e.getKey()), e.getValue().asText()));
            every.put(r.getKey(), of);
        });
        return new PlanRollout(node.path("rollout").asText(), node.path("status").asText(), stages, disruption,
                unfinished, every);
    }

    /** Optional: absent when the plan was not checked against a policy (and in plans older than the field). */
    private java.util.Optional<PlanPolicy> policy(JsonNode root) throws PlanFormatException {
        if (root.get("policy") == null) {
            return java.util.Optional.empty();
        }
        JsonNode node = object(root, "policy", "");
        List<PolicyResult> results = new ArrayList<>();
        JsonNode list = array(node, "results", "policy");
        for (int i = 0; i < list.size(); i++) {
            JsonNode r = list.get(i);
            String path = "policy.results[" + i + "]";
            requireObject(r, path);
            results.add(new PolicyResult(text(r, "rule", path), choice(r, "level", path, PolicyResult.Level.class),
                    text(r, "message", path), java.util.Optional.ofNullable(nullableText(r, "address", path)),
                    text(r, "file", path), (int) number(r, "line", path), (int) number(r, "column", path)));
        }
        return java.util.Optional.of(new PlanPolicy((int) number(node, "rules", "policy"), results));
    }

    private java.util.Optional<io.fleetform.engine.state.Provenance> provenance(JsonNode root)
            throws PlanFormatException {
        try {
            return io.fleetform.engine.state.StateCodec.decodeProvenance(root.get("provenance"));
        } catch (IllegalArgumentException e) {
            throw invalid("provenance", e.getMessage());
        }
    }

    private JsonNode parse(byte[] bytes) throws PlanFormatException {
        try {
            JsonNode root = JSON.readTree(bytes);
            if (root == null || root.isMissingNode()) {
                throw new PlanFormatException(where + " is not a Fleetform plan: it is empty");
            }
            return root;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String place = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new PlanFormatException(where + " is not a Fleetform plan: it is not valid JSON" + place + " ("
                    + e.getOriginalMessage() + ")", e);
        } catch (IOException e) {
            throw new PlanFormatException(where + " cannot be read: " + e.getMessage(), e);
        }
    }

    private PlanMode mode(JsonNode root) throws PlanFormatException {
        return choice(root, "mode", "", PlanMode.class);
    }

    private Instant instant(JsonNode root) throws PlanFormatException {
        String created = text(root, "created", "");
        try {
            return Instant.parse(created);
        } catch (DateTimeParseException e) {
            throw invalid("created", "must be an ISO-8601 instant such as 2024-05-01T12:00:00Z, not \""
                    + created + "\"");
        }
    }

    private ResourceChange change(JsonNode node, String path) throws PlanFormatException {
        requireObject(node, path);
        Set<String> sensitive = Set.copyOf(strings(node, "sensitive", path));
        return new ResourceChange(address(node, path), text(node, "type", path), nullableText(node, "provider", path),
                choice(node, "action", path, Action.class), attributes(node, "before", path),
                attributes(node, "after", path), sensitive, attributeChanges(node, path),
                nullableText(node, "reason", path), addresses(node, "depends_on", path), lifecycle(node, path));
    }

    private Drift drift(JsonNode node, String path) throws PlanFormatException {
        requireObject(node, path);
        return new Drift(address(node, path), text(node, "type", path), bool(node, "deleted", path),
                attributeChanges(node, path));
    }

    private List<AttributeChange> attributeChanges(JsonNode parent, String path) throws PlanFormatException {
        JsonNode list = array(parent, "attribute_changes", path);
        List<AttributeChange> changes = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            String at = join(path, "attribute_changes") + "[" + i + "]";
            JsonNode node = list.get(i);
            requireObject(node, at);
            changes.add(new AttributeChange(text(node, "name", at), PlanValues.fromJson(field(node, "before", at)),
                    PlanValues.fromJson(field(node, "after", at)), bool(node, "sensitive", at),
                    bool(node, "forces_replacement", at)));
        }
        return changes;
    }

    private ResourceLifecycle lifecycle(JsonNode parent, String path) throws PlanFormatException {
        JsonNode node = field(parent, "lifecycle", path);
        if (node.isNull()) {
            return null;
        }
        String at = join(path, "lifecycle");
        requireObject(node, at);
        return new ResourceLifecycle(bool(node, "prevent_destroy", at), strings(node, "ignore_changes", at),
                bool(node, "create_before_destroy", at));
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> attributes(JsonNode parent, String name, String path) throws PlanFormatException {
        return (Map<String, Object>) PlanValues.fromJson(object(parent, name, path));
    }

    private ResourceAddress address(JsonNode node, String path) throws PlanFormatException {
        String text = text(node, "address", path);
        try {
            return new ResourceAddress(text);
        } catch (IllegalArgumentException e) {
            throw invalid(join(path, "address"), "is not a resource address: \"" + text + "\"");
        }
    }

    private List<ResourceAddress> addresses(JsonNode parent, String name, String path) throws PlanFormatException {
        List<ResourceAddress> list = new ArrayList<>();
        List<String> texts = strings(parent, name, path);
        for (int i = 0; i < texts.size(); i++) {
            try {
                list.add(new ResourceAddress(texts.get(i)));
            } catch (IllegalArgumentException e) {
                throw invalid(join(path, name) + "[" + i + "]", "is not a resource address: \"" + texts.get(i) + "\"");
            }
        }
        return list;
    }

    private void checkSummary(JsonNode summary, Plan plan) throws PlanFormatException {
        for (Action action : List.of(Action.CREATE, Action.UPDATE, Action.REPLACE, Action.DELETE)) {
            String key = PlanCodec.name(action);
            long said = number(summary, key, "summary");
            if (said != plan.count(action)) {
                throw invalid("summary." + key, "says " + said + " but the changes have " + plan.count(action)
                        + "; the file was edited or cut short");
            }
        }
    }

    private <E extends Enum<E>> E choice(JsonNode parent, String name, String path, Class<E> type)
            throws PlanFormatException {
        String text = text(parent, name, path);
        for (E value : type.getEnumConstants()) {
            if (PlanCodec.name(value).equals(text)) {
                return value;
            }
        }
        List<String> allowed = new ArrayList<>();
        for (E value : type.getEnumConstants()) {
            allowed.add(PlanCodec.name(value));
        }
        throw invalid(join(path, name), "must be one of " + String.join(", ", allowed) + ", not \"" + text + "\"");
    }

    private List<String> strings(JsonNode parent, String name, String path) throws PlanFormatException {
        JsonNode array = array(parent, name, path);
        List<String> list = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            if (!array.get(i).isTextual()) {
                throw invalid(join(path, name) + "[" + i + "]", "must be a string, not " + describe(array.get(i)));
            }
            list.add(array.get(i).textValue());
        }
        return list;
    }

    private String text(JsonNode parent, String name, String path) throws PlanFormatException {
        JsonNode node = field(parent, name, path);
        if (!node.isTextual()) {
            throw invalid(join(path, name), "must be a string, not " + describe(node));
        }
        return node.textValue();
    }

    private String nullableText(JsonNode parent, String name, String path) throws PlanFormatException {
        return field(parent, name, path).isNull() ? null : text(parent, name, path);
    }

    private long number(JsonNode parent, String name, String path) throws PlanFormatException {
        JsonNode node = field(parent, name, path);
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw invalid(join(path, name), "must be a whole number, not " + describe(node));
        }
        return node.longValue();
    }

    private boolean bool(JsonNode parent, String name, String path) throws PlanFormatException {
        JsonNode node = field(parent, name, path);
        if (!node.isBoolean()) {
            throw invalid(join(path, name), "must be true or false, not " + describe(node));
        }
        return node.booleanValue();
    }

    private JsonNode object(JsonNode parent, String name, String path) throws PlanFormatException {
        JsonNode node = field(parent, name, path);
        requireObject(node, join(path, name));
        return node;
    }

    private JsonNode array(JsonNode parent, String name, String path) throws PlanFormatException {
        JsonNode node = field(parent, name, path);
        if (!node.isArray()) {
            throw invalid(join(path, name), "must be a list, not " + describe(node));
        }
        return node;
    }

    private void requireObject(JsonNode node, String path) throws PlanFormatException {
        if (!node.isObject()) {
            throw invalid(path, "must be an object, not " + describe(node));
        }
    }

    private JsonNode field(JsonNode parent, String name, String path) throws PlanFormatException {
        JsonNode node = parent.get(name);
        if (node == null) {
            throw new PlanFormatException(where + " is not a complete Fleetform plan: \"" + join(path, name)
                    + "\" is missing");
        }
        return node;
    }

    private PlanFormatException invalid(String path, String problem) {
        return new PlanFormatException(where + " is not a valid Fleetform plan: \"" + path + "\" " + problem);
    }

    /** A wrong value, short enough for one line of an error message. */
    private static String describe(JsonNode node) {
        String text = node.toString();
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }
}
