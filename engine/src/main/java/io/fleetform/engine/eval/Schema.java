package io.fleetform.engine.eval;

import io.fleetform.dsl.ast.AsClause;
import io.fleetform.dsl.ast.Clause;
import io.fleetform.dsl.ast.ForEachClause;
import io.fleetform.dsl.ast.FromClause;
import io.fleetform.dsl.ast.IfClause;
import io.fleetform.engine.value.Dimension;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The shape of every block: its labels, the attributes and nested blocks it may hold, and
 * the header clauses it accepts. The structure check and "did you mean" read it; it is the
 * single list of the language's block vocabulary.
 */
public final class Schema {

    /**
     * @param labels      how many labels the block takes
     * @param labelUsage  how to write it, for messages
     * @param anyAttribute true for blocks of user-chosen names (locals, module parameters)
     */
    public record BlockType(String name, int labels, String labelUsage, Set<String> attributes,
                            Map<String, BlockType> blocks, Set<Class<? extends Clause>> clauses,
                            boolean anyAttribute, boolean repeatable) {
    }

    static final Set<String> SERVICE_ATTRIBUTES = Set.of("image", "replicas", "cpu", "memory", "disk", "network",
            "ip", "spread", "stateless", "workload", "ports", "env", "command", "config", "idc", "module", "init");

    /** What {@code ignore_changes} of a service may name: its attributes and the blocks that describe it. */
    static final Set<String> SERVICE_IGNORABLE = union(SERVICE_ATTRIBUTES, Set.of("io", "disk", "network",
            "health"));

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.TreeSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    private static final BlockType IO = block("io", 0, "io { read = 200MB/s  write = 100MB/s }",
            Set.of("read", "write", "read_iops", "write_iops"), Map.of(), Set.of(), false, false);
    private static final BlockType NETWORK = block("network", 1, "network sriov { vlan = 120 }",
            Set.of("vlan", "mac", "spoofchk", "trust", "min_rate", "max_rate", "irq", "rps", "ip", "qos", "link_state",
                    "mtu"), Map.of(), Set.of(),
            false, false);
    private static final BlockType DISK = block("disk", 0, "disk { size = 200Gi  mount = \"/data\" }",
            Set.of("size", "mount", "keep_on_replace"), Map.of(), Set.of(), false, false);
    private static final BlockType LIFECYCLE = block("lifecycle", 0, "lifecycle { prevent_destroy = true }",
            Set.of("prevent_destroy", "ignore_changes", "create_before_destroy", "keep_data_on_replace"), Map.of(),
            Set.of(), false, false);
    private static final BlockType HEALTH = block("health", 0, "health { http = \"/healthz\"  port = \"http\" }",
            Set.of("tcp", "http", "port", "exec", "interval", "timeout", "healthy_after", "unhealthy_after"), Map.of(),
            Set.of(), false, false);
    private static final Map<String, BlockType> SERVICE_BLOCKS = Map.of("io", IO, "network", NETWORK, "disk", DISK,
            "lifecycle", LIFECYCLE, "health", HEALTH);
    private static final BlockType SERVICE = block("service", 1, "service \"logic\" { ... }", SERVICE_ATTRIBUTES,
            SERVICE_BLOCKS, Set.of(FromClause.class, IfClause.class, ForEachClause.class, AsClause.class), false, true);
    private static final Map<String, BlockType> ZONE_BLOCKS = Map.of("service", SERVICE, "lifecycle", LIFECYCLE);
    private static final BlockType METRIC_GATE = block("gate", 0,
            "gate { prometheus = \"http://prometheus:9090\"  query = \"...\"  max = 0.01  for = 2m  every = 15s }",
            Set.of("prometheus", "query", "max", "min", "for", "every"), Map.of(), Set.of(), false, false);
    private static final BlockType STAGE = block("stage", 1, "stage \"canary\" { zones = [zone.s1] }",
            Set.of("zones", "idc", "idcs", "percent", "max_parallel", "wait", "gate", "approval", "healthy_for",
                    "partition"),
            Map.of("gate", METRIC_GATE), Set.of(),
            false, true);
    private static final BlockType VALIDATION = block("validation", 0,
            "validation { condition = ...  message = \"...\" }", Set.of("condition", "message"), Map.of(), Set.of(),
            false, true);

    private static final Map<String, BlockType> TOP_LEVEL = new LinkedHashMap<>();

    static {
        top(block("fleet", 1, "fleet \"mt2\" { owner = \"mt2-ops\" }", Set.of("owner", "description", "labels"),
                Map.of(), Set.of(), false, false));
        top(block("variable", 1, "variable \"release\" { type = string }",
                Set.of("type", "default", "description", "sensitive"), Map.of("validation", VALIDATION), Set.of(),
                false, true));
        top(block("locals", 0, "locals { name = value }", Set.of(), Map.of(), Set.of(), true, true));
        top(block("registry", 1, "registry \"central\" { url = \"...\" }",
                Set.of("url", "username", "auth", "mirror_of", "insecure"), Map.of(), Set.of(), false, true));
        top(block("image", 1, "image \"gamesvr\" { from = registry.central  name = \"...\" }",
                Set.of("from", "name", "tag", "digest", "replicate_to", "prepull"), Map.of(), Set.of(), false, true));
        top(block("cluster", 1, "cluster \"sh-prod\" { context = \"sh-prod\" }",
                Set.of("context", "namespace", "kubeconfig", "provider"), Map.of(), Set.of(), false, true));
        top(block("hosts", 1, "hosts \"sz-pool\" { agents = [...] }", Set.of("agents", "token", "local", "provider", "modules", "ca_file", "pin", "insecure",
                "underlay_interface"), Map.of(),
                Set.of(), false, true));
        top(block("idc", 1, "idc \"sh-pudong\" { region = \"shanghai\"  target = cluster.sh-prod }",
                Set.of("region", "target", "modules", "ip_pool", "mirror", "routes"), Map.of(), Set.of(), false, true));
        top(block("template", 1, "template \"logic\" { ... }", SERVICE_ATTRIBUTES, SERVICE_BLOCKS,
                Set.of(FromClause.class), false, true));
        top(block("zones", 1, "zones \"s\" from 1 to 40 as z { ... }", Set.of("name", "idc", "module", "labels"), ZONE_BLOCKS,
                Set.of(FromClause.class, ForEachClause.class, AsClause.class, IfClause.class), false, true));
        top(block("zone", 1, "zone \"alpha\" { ... }", Set.of("idc", "module", "labels"), ZONE_BLOCKS,
                Set.of(IfClause.class), false, true));
        top(block("rollout", 1, "rollout \"default\" { stage \"canary\" { ... } }", Set.of(), Map.of("stage", STAGE),
                Set.of(), false, true));
        top(block("output", 1, "output \"ips\" { value = ... }", Set.of("value", "sensitive", "description"), Map.of(),
                Set.of(), false, true));
        top(block("moved", 0, "moved { from = zone.s1  to = zone.alpha1 }", Set.of("from", "to"), Map.of(), Set.of(),
                false, true));
        top(block("module", 1, "module \"mmo\" { source = \"stdlib/mmo\" }", Set.of("source", "version"), Map.of(),
                Set.of(), true, true));
        top(block("meta", 0, "meta { version = \"1.0.0\" }", Set.of("version", "description"), Map.of(), Set.of(),
                false, false));
        // Where the state is kept; read by the command line before evaluation (its settings are literals).
        top(block("state", 1, "state \"git\" { url = \"ssh://git@host/ops/state.git\" }", Set.of(), Map.of(),
                Set.of(), true, false));
    }

    /** Block types a module (as opposed to the root fleet) may declare. */
    static final Set<String> MODULE_BLOCKS = Set.of("variable", "locals", "template", "zones", "zone", "output", "meta",
            "module");

    private static final Map<String, Dimension> DIMENSIONS = Map.ofEntries(
            Map.entry("memory", Dimension.SIZE), Map.entry("size", Dimension.SIZE), Map.entry("disk", Dimension.SIZE),
            Map.entry("cpu", Dimension.CPU), Map.entry("wait", Dimension.DURATION),
            Map.entry("timeout", Dimension.DURATION),
            Map.entry("interval", Dimension.DURATION), Map.entry("read", Dimension.RATE),
            Map.entry("write", Dimension.RATE), Map.entry("min_rate", Dimension.RATE),
            Map.entry("max_rate", Dimension.RATE));

    private Schema() {
    }

    private static void top(BlockType type) {
        TOP_LEVEL.put(type.name(), type);
    }

    private static BlockType block(String name, int labels, String usage, Set<String> attributes,
                                   Map<String, BlockType> blocks, Set<Class<? extends Clause>> clauses,
                                   boolean anyAttribute, boolean repeatable) {
        return new BlockType(name, labels, usage, attributes, blocks, clauses, anyAttribute, repeatable);
    }

    public static Optional<BlockType> topLevel(String name) {
        return Optional.ofNullable(TOP_LEVEL.get(name));
    }

    public static List<String> topLevelNames() {
        return List.copyOf(TOP_LEVEL.keySet());
    }

    /** The dimension an attribute of this name expects, for unit suggestions; null if none. */
    public static Dimension dimensionOf(String attribute) {
        return attribute == null ? null : DIMENSIONS.get(attribute);
    }

    static String clauseName(Class<? extends Clause> clause) {
        if (clause == FromClause.class) {
            return "from";
        }
        if (clause == ForEachClause.class) {
            return "for_each";
        }
        return clause == AsClause.class ? "as" : "if";
    }
}
