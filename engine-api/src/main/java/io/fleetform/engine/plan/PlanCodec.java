package io.fleetform.engine.plan;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetform.engine.resource.ResourceLifecycle;
import io.fleetform.engine.state.StateCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The plan's versioned JSON: the plan file ({@code plan -out FILE}, read back by
 * {@code apply FILE}) and, with secrets masked, {@code show --json}. Keys are snake_case and
 * always in the order below; two-space indent, {@code \n} line ends, map keys sorted, so the
 * same plan always gives the same bytes.
 *
 * <pre>
 * format_version     number   1; a reader refuses any other version
 * redacted           boolean  only in {@link #encodeForDisplay}: true, and such a copy is refused by {@link #decode}
 * mode               string   "normal", "destroy" or "refresh_only"
 * fleet              string   the fleet's name
 * state              object   the state the plan was made against, so apply can refuse a stale plan
 *   lineage          string   the state's lineage
 *   serial           number   the state's serial
 * config_hash        string   hash of the fleet files and inputs, so apply can refuse a plan for other ones
 * created            string   ISO-8601 instant, UTC ("2024-05-01T12:00:00Z", nanoseconds kept)
 * summary            object   counts of changes by action (derived; a reader checks it against "changes")
 *   create, update, replace, delete   number
 * changes            array    one per resource, "no_op" ones included, in plan order
 *   address          string   "zone.s12.service.logic[0]"
 *   type             string   resource type
 *   provider         string   provider name (may be null)
 *   action           string   "create", "update", "conflict" (not applied: fields another writer owns),
 *                             "take_over" (an update that takes such fields, --force-conflicts), "replace",
 *                             "delete", "forget" (removed from the state, left in place) or "no_op"
 *   reason           string   why, in words (may be null)
 *   depends_on       array    of addresses
 *   lifecycle        object   or null
 *     prevent_destroy, create_before_destroy   boolean
 *     ignore_changes array    of attribute names
 *   sensitive        array    sorted attribute paths whose values are secret ("env", "env.DB_PASSWORD")
 *   before, after    object   attributes before and after, keys sorted
 *   attribute_changes array
 *     name           string   attribute path
 *     before, after  value    null when absent
 *     sensitive      boolean
 *     forces_replacement boolean
 * drift              array    what refresh found changed outside Fleetform
 *   address, type    string
 *   deleted          boolean  true if the resource is gone
 *   attribute_changes array   as above
 * outputs            object   output name to display string, keys sorted
 * warnings           array    of strings
 * provenance         object   where the fleet's files came from, or null (absent in older plans)
 *   repository       string   URL or path, credentials stripped
 *   commit           string   full commit SHA
 *   ref              string   the ref as asked for, or the branch checked out ("" if none)
 *   author           string   the commit's author, "Name &lt;email&gt;"
 *   path             string   the fleet's folder inside the repository ("" for its root)
 *   dirty            boolean  true if read from a working tree with uncommitted changes to the fleet's files
 * rollout            object   (optional) rollout, status: strings; unfinished: array of addresses;
 *                             stages, disruption: objects of address to stage name / "in place",
 *                             rollouts: for every rollout of the fleet, an object of address to stage name,
 *                             "restart", "recreate"
 * policy             object   (optional) what --policy found when the plan was made; absent if it was not checked
 *   rules            number   how many rules were checked
 *   results          array    the rules that fired, in the order of the policy files
 *     rule           string   the rule's name
 *     level          string   "deny" or "warn" (a saved plan holds only "warn": a denied plan is never saved)
 *     message        string   what the rule said
 *     address        string   the resource it fired on (a rule over for_each plan.changes), or null
 *     file           string   the policy file, as given to --policy
 *     line, column   number   where the rule is written, from 1
 * </pre>
 * Every field is required (null only where said); fields a reader does not know are ignored.
 * A field added later is optional (said above), so older readers still read newer plans and the
 * version stays 1; a change an older reader would misread bumps it.
 *
 * <p>Values are strings, numbers, booleans, lists and maps. Integers are Longs; decimals are
 * BigDecimals written with a fraction or exponent so they read back with the same scale
 * ({@code 1.50}, {@code 1E+30}, {@code 7E0}); nothing is rounded. (Ints handed to the encoder
 * are written as, and read back as, Longs.)
 *
 * <p>Sensitive values: in the plan file, the values of sensitive attributes are the
 * {@code sha256:} hashes the plan holds, which apply compares with the state. In the display
 * copy they are {@code "(sensitive)"}, see {@link Redaction}.
 */
public final class PlanCodec {
    private static final ObjectMapper JSON = new ObjectMapper().setNodeFactory(PlanValues.NODES);
    private static final ObjectWriter PRETTY = JSON.writer(new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n")));

    private PlanCodec() {
    }

    /** The plan file: everything needed to apply it, sensitive values as their hashes. */
    public static byte[] encode(Plan plan) {
        return write(tree(plan, false));
    }

    /** For {@code show --json}: the same document with every sensitive value masked. */
    public static byte[] encodeForDisplay(Plan plan) {
        return write(tree(plan, true));
    }

    /**
     * Reads a plan file.
     *
     * @param where the file's name, for messages
     * @throws PlanFormatException if it is not JSON, not a plan, of another format version, a
     *         display copy, or incomplete; the message says which field
     */
    public static Plan decode(byte[] bytes, String where) throws PlanFormatException {
        return new PlanReader(where).read(bytes);
    }

    private static byte[] write(ObjectNode root) {
        try {
            String text = PRETTY.writeValueAsString(root) + "\n";
            return text.getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a plan as JSON", e);
        }
    }

    static String name(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    private static ObjectNode tree(Plan plan, boolean redact) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format_version", plan.formatVersion());
        if (redact) {
            root.put("redacted", true);
        }
        root.put("mode", name(plan.mode()));
        root.put("fleet", plan.fleet());
        root.putObject("state").put("lineage", plan.lineage()).put("serial", plan.serial());
        root.put("config_hash", plan.configHash());
        root.put("created", plan.created().toString());
        ObjectNode summary = root.putObject("summary");
        summary.put("create", plan.count(Action.CREATE));
        summary.put("update", plan.count(Action.UPDATE));
        summary.put("replace", plan.count(Action.REPLACE));
        summary.put("delete", plan.count(Action.DELETE));
        ArrayNode changes = root.putArray("changes");
        plan.changes().forEach(c -> changes.add(change(c, redact)));
        ArrayNode drift = root.putArray("drift");
        for (Drift d : plan.drift()) {
            ObjectNode node = drift.addObject();
            node.put("address", d.address().value());
            node.put("type", d.type());
            node.put("deleted", d.deleted());
            node.set("attribute_changes", attributeChanges(d.changes(), Set.of(), redact));
        }
        ObjectNode outputs = root.putObject("outputs");
        new TreeMap<>(plan.outputs()).forEach(outputs::put);
        ArrayNode warnings = root.putArray("warnings");
        plan.warnings().forEach(warnings::add);
        root.set("provenance", plan.provenance().<JsonNode>map(StateCodec::encode).orElse(PlanValues.NODES.nullNode()));
        plan.policy().ifPresent(p -> root.set("policy", policy(p)));
        if (!plan.rollout().equals(PlanRollout.NONE)) {
            ObjectNode rollout = root.putObject("rollout");
            rollout.put("rollout", plan.rollout().rollout());
            rollout.put("status", plan.rollout().status());
            ObjectNode stages = rollout.putObject("stages");
            plan.rollout().stages().forEach((a, st) -> stages.put(a.value(), st));
            ObjectNode disruption = rollout.putObject("disruption");
            plan.rollout().disruption().forEach((a, d) -> disruption.put(a.value(), d));
            ArrayNode unfinished = rollout.putArray("unfinished");
            plan.rollout().unfinished().forEach(a -> unfinished.add(a.value()));
            ObjectNode every = rollout.putObject("rollouts");
            plan.rollout().byRollout().forEach((name, st) -> {
                ObjectNode of = every.putObject(name);
                st.forEach((a, stage) -> of.put(a.value(), stage));
            });
        }
        return root;
    }

    private static ObjectNode policy(PlanPolicy policy) {
        ObjectNode node = JSON.createObjectNode();
        node.put("rules", policy.rules());
        ArrayNode results = node.putArray("results");
        for (PolicyResult r : policy.results()) {
            ObjectNode result = results.addObject();
            result.put("rule", r.rule());
            result.put("level", r.level().word());
            result.put("message", r.message());
            result.put("address", r.address().orElse(null));
            result.put("file", r.file());
            result.put("line", r.line());
            result.put("column", r.column());
        }
        return node;
    }

    private static ObjectNode change(ResourceChange c, boolean redact) {
        ObjectNode node = JSON.createObjectNode();
        node.put("address", c.address().value());
        node.put("type", c.type());
        node.put("provider", c.provider());
        node.put("action", name(c.action()));
        node.put("reason", c.reason());
        ArrayNode deps = node.putArray("depends_on");
        c.dependsOn().forEach(d -> deps.add(d.value()));
        node.set("lifecycle", lifecycle(c.lifecycle()));
        ArrayNode sensitive = node.putArray("sensitive");
        new TreeSet<>(c.sensitive()).forEach(sensitive::add);
        node.set("before", PlanValues.toJson(redact ? Redaction.attributes(c.before(), c.sensitive()) : c.before()));
        node.set("after", PlanValues.toJson(redact ? Redaction.attributes(c.after(), c.sensitive()) : c.after()));
        node.set("attribute_changes", attributeChanges(c.changes(), c.sensitive(), redact));
        return node;
    }

    private static ArrayNode attributeChanges(List<AttributeChange> changes, Set<String> sensitive, boolean redact) {
        ArrayNode list = JSON.createArrayNode();
        for (AttributeChange a : changes) {
            ObjectNode node = list.addObject();
            node.put("name", a.name());
            node.set("before", PlanValues.toJson(redact ? shown(a, a.before(), sensitive) : a.before()));
            node.set("after", PlanValues.toJson(redact ? shown(a, a.after(), sensitive) : a.after()));
            node.put("sensitive", a.sensitive());
            node.put("forces_replacement", a.forcesReplacement());
        }
        return list;
    }

    private static Object shown(AttributeChange a, Object value, Set<String> sensitive) {
        return Redaction.value(a.name(), value, a.sensitive(), sensitive);
    }

    private static JsonNode lifecycle(ResourceLifecycle l) {
        if (l == null) {
            return PlanValues.NODES.nullNode();
        }
        ObjectNode node = JSON.createObjectNode();
        node.put("prevent_destroy", l.preventDestroy());
        ArrayNode ignore = node.putArray("ignore_changes");
        l.ignoreChanges().forEach(ignore::add);
        node.put("create_before_destroy", l.createBeforeDestroy());
        return node;
    }
}
