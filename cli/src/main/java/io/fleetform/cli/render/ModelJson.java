package io.fleetform.cli.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetform.engine.model.*;
import io.fleetform.engine.value.BoolValue;
import io.fleetform.engine.value.ListValue;
import io.fleetform.engine.value.MapValue;
import io.fleetform.engine.value.NullValue;
import io.fleetform.engine.value.NumberValue;
import io.fleetform.engine.value.StringValue;
import io.fleetform.engine.value.Value;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * The fleet model as JSON for {@code inspect --json}. Format version 1; field names are
 * snake_case; sizes are bytes, CPU millicores, rates bytes per second, durations seconds.
 * Secrets appear only as {@code "(sensitive: SOURCE)"}.
 */
public final class ModelJson {
    public static final int FORMAT_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ModelJson() {
    }

    public static String render(Fleet fleet) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(tree(fleet));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ObjectNode tree(Fleet fleet) {
        ObjectNode root = NODES.objectNode();
        root.put("format_version", FORMAT_VERSION);
        ObjectNode f = root.putObject("fleet");
        f.put("name", fleet.name());
        f.put("owner", fleet.owner());
        f.set("labels", JSON.valueToTree(fleet.labels()));
        ObjectNode variables = root.putObject("variables");
        fleet.variables().forEach((k, v) -> variables.set(k, value(v)));
        ArrayNode registries = root.putArray("registries");
        for (Registry r : fleet.registries()) {
            ObjectNode n = registries.addObject();
            n.put("name", r.name());
            n.put("url", r.url());
            r.username().ifPresent(u -> n.put("username", u));
            r.auth().ifPresent(a -> n.put("auth", a.masked()));
            r.mirrorOf().ifPresent(m -> n.put("mirror_of", m));
            n.put("insecure", r.insecure());
        }
        ArrayNode images = root.putArray("images");
        for (Image i : fleet.images()) {
            ObjectNode n = images.addObject();
            n.put("name", i.name());
            i.registry().ifPresent(r -> n.put("registry", r));
            n.put("repository", i.repository());
            i.tag().ifPresent(t -> n.put("tag", t));
            i.digest().ifPresent(d -> n.put("digest", d));
            n.set("replicate_to", JSON.valueToTree(i.replicateTo()));
            n.put("prepull", i.prepull());
        }
        ArrayNode clusters = root.putArray("clusters");
        for (Cluster c : fleet.clusters()) {
            ObjectNode n = clusters.addObject();
            n.put("name", c.name());
            n.put("context", c.context());
            n.put("namespace", c.namespace());
            c.kubeconfig().ifPresent(k -> n.put("kubeconfig", k));
        }
        ArrayNode pools = root.putArray("host_pools");
        for (HostPool p : fleet.hostPools()) {
            ObjectNode n = pools.addObject();
            n.put("name", p.name());
            n.put("local", p.local());
            n.set("agents", JSON.valueToTree(p.agents()));
            p.token().ifPresent(t -> n.put("token", t.masked()));
        }
        ArrayNode idcs = root.putArray("idcs");
        for (Idc i : fleet.idcs()) {
            ObjectNode n = idcs.addObject();
            n.put("name", i.name());
            n.put("region", i.region());
            n.put("target", i.target().toString());
            n.set("modules", JSON.valueToTree(i.modules()));
            i.ipPool().ifPresent(p -> n.put("ip_pool", p));
        }
        ArrayNode zones = root.putArray("zones");
        fleet.zones().forEach(z -> zones.add(zone(z)));
        ArrayNode rollouts = root.putArray("rollouts");
        for (Rollout r : fleet.rollouts()) {
            ObjectNode n = rollouts.addObject();
            n.put("name", r.name());
            ArrayNode stages = n.putArray("stages");
            for (Stage s : r.stages()) {
                ObjectNode st = stages.addObject();
                st.put("name", s.name());
                st.set("zones", JSON.valueToTree(s.zones()));
                st.set("idcs", JSON.valueToTree(s.idcs()));
                s.percent().ifPresent(p -> st.put("percent", p));
                st.put("max_parallel", s.maxParallel());
                s.waitAfter().ifPresent(w -> st.put("wait_seconds", w.toMillis() / 1000.0));
                st.put("gate", s.gate().name().toLowerCase());
                st.put("manual_approval", s.manualApproval());
            }
        }
        ArrayNode outputs = root.putArray("outputs");
        for (Output o : fleet.outputs()) {
            ObjectNode n = outputs.addObject();
            n.put("name", o.name());
            n.put("sensitive", o.sensitive());
            n.set("value", o.sensitive() ? NODES.textNode("(sensitive)") : value(o.value()));
        }
        ArrayNode moved = root.putArray("moved");
        fleet.moved().forEach(m -> moved.addObject().put("from", m.from()).put("to", m.to()));
        return root;
    }

    private static ObjectNode zone(Zone z) {
        ObjectNode n = NODES.objectNode();
        n.put("name", z.name());
        n.put("address", z.address());
        n.put("group", z.group());
        n.put("index", z.index());
        n.put("idc", z.idc());
        z.module().ifPresent(m -> n.put("module", m));
        z.origin().ifPresent(o -> n.put("declared_in", o));
        n.set("labels", JSON.valueToTree(z.labels()));
        n.set("lifecycle", lifecycle(z.lifecycle()));
        ArrayNode services = n.putArray("services");
        for (Service s : z.services()) {
            ObjectNode sn = services.addObject();
            sn.put("name", s.name());
            sn.put("address", s.address());
            sn.put("image", s.image());
            sn.put("replicas", s.replicas());
            sn.putObject("cpu").put("millicores", s.cpu().millicores()).put("pinned", s.cpu().pinned());
            sn.put("memory_bytes", s.memoryBytes());
            s.disk().ifPresent(d -> sn.putObject("disk").put("size_bytes", d.sizeBytes()).put("mount", d.mountPath())
                    .put("keep_on_replace", d.keepOnReplace()));
            s.io().ifPresent(io -> sn.putObject("io").put("read_bytes_per_second", io.readBytesPerSecond())
                    .put("write_bytes_per_second", io.writeBytesPerSecond()).put("read_iops", io.readIops())
                    .put("write_iops", io.writeIops()));
            ObjectNode network = sn.putObject("network");
            network.put("mode", s.network().mode().name().toLowerCase());
            network.put("fixed_ip", s.network().fixedIp());
            s.network().sriov().ifPresent(v -> {
                ObjectNode sriov = network.putObject("sriov");
                v.vlan().ifPresent(vlan -> sriov.put("vlan", vlan));
                v.mac().ifPresent(mac -> sriov.put("mac", mac));
                sriov.put("spoofchk", v.spoofCheck()).put("trust", v.trust())
                        .put("min_rate_bytes_per_second", v.minRateBytesPerSecond())
                        .put("max_rate_bytes_per_second", v.maxRateBytesPerSecond())
                        .put("irq", v.irq().name().toLowerCase()).put("rps", v.rps());
            });
            sn.put("spread", s.spread().name().toLowerCase());
            sn.put("workload", s.workload().name().toLowerCase());
            sn.set("ports", JSON.valueToTree(s.ports()));
            ObjectNode env = sn.putObject("env");
            s.env().forEach(e -> env.put(e.name(), e.sensitive() ? "(sensitive)" : e.value()));
            sn.set("command", JSON.valueToTree(s.command()));
            sn.set("config", JSON.valueToTree(s.configFiles()));
            s.template().ifPresent(t -> sn.put("template", t));
            sn.set("lifecycle", lifecycle(s.lifecycle()));
        }
        return n;
    }

    private static ObjectNode lifecycle(Lifecycle l) {
        ObjectNode n = NODES.objectNode();
        n.put("prevent_destroy", l.preventDestroy());
        n.set("ignore_changes", JSON.valueToTree(l.ignoreChanges()));
        n.put("create_before_destroy", l.createBeforeDestroy());
        n.put("keep_data_on_replace", l.keepDataOnReplace());
        return n;
    }

    /** A value as JSON; secrets and unknowns as the words a user sees elsewhere. */
    public static JsonNode value(Value v) {
        if (v.isSensitive()) {
            return NODES.textNode("(sensitive)");
        }
        if (v instanceof StringValue s) {
            return NODES.textNode(s.value());
        }
        if (v instanceof NumberValue n) {
            return NODES.numberNode(n.value());
        }
        if (v instanceof BoolValue b) {
            return NODES.booleanNode(b.value());
        }
        if (v instanceof NullValue) {
            return NODES.nullNode();
        }
        if (v instanceof ListValue l) {
            ArrayNode a = NODES.arrayNode();
            l.elements().forEach(e -> a.add(value(e)));
            return a;
        }
        if (v instanceof MapValue m) {
            ObjectNode o = NODES.objectNode();
            for (Map.Entry<String, Value> e : m.entries().entrySet()) {
                o.set(e.getKey(), value(e.getValue()));
            }
            return o;
        }
        return NODES.textNode(v.display());
    }
}
