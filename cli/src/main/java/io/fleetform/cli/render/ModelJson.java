package io.fleetform.cli.render;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import io.fleetform.engine.model.*;
import io.fleetform.engine.value.BoolValue;
import io.fleetform.engine.value.ListValue;
import io.fleetform.engine.value.MapValue;
import io.fleetform.engine.value.NullValue;
import io.fleetform.engine.value.NumberValue;
import io.fleetform.engine.value.StringValue;
import io.fleetform.engine.value.Value;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The fleet model as JSON for {@code inspect --json}. Format version 1; field names are
 * snake_case; sizes are bytes, CPU millicores, rates bytes per second, durations seconds.
 * Secrets appear only as {@code "(sensitive: SOURCE)"}.
 *
 * <p>Written field by field with Jackson's streaming generator, straight to the output: at
 * tens of thousands of instances, building a tree of nodes and then one string of the whole
 * document cost more than evaluating the fleet.
 */
public final class ModelJson {
    public static final int FORMAT_VERSION = 1;
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private ModelJson() {
    }

    /** The whole document as one string (for tests and small fleets). */
    public static String render(Fleet fleet) {
        StringWriter out = new StringWriter();
        write(fleet, out);
        return out.toString();
    }

    /** Writes the document to {@code out}, pretty-printed, without a final newline; leaves {@code out} open. */
    public static void write(Fleet fleet, Writer out) {
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.setPrettyPrinter(new DefaultPrettyPrinter());
            fleet(g, fleet);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void fleet(JsonGenerator g, Fleet fleet) throws IOException {
        g.writeStartObject();
        g.writeNumberField("format_version", FORMAT_VERSION);
        g.writeObjectFieldStart("fleet");
        g.writeStringField("name", fleet.name());
        g.writeStringField("owner", fleet.owner());
        stringMap(g, "labels", fleet.labels());
        g.writeEndObject();
        g.writeObjectFieldStart("variables");
        for (Map.Entry<String, Value> v : byKey(fleet.variables())) {
            g.writeFieldName(v.getKey());
            value(g, v.getValue());
        }
        g.writeEndObject();
        g.writeArrayFieldStart("registries");
        for (Registry r : fleet.registries()) {
            g.writeStartObject();
            g.writeStringField("name", r.name());
            g.writeStringField("url", r.url());
            if (r.username().isPresent()) {
                g.writeStringField("username", r.username().get());
            }
            if (r.auth().isPresent()) {
                g.writeStringField("auth", r.auth().get().masked());
            }
            if (r.mirrorOf().isPresent()) {
                g.writeStringField("mirror_of", r.mirrorOf().get());
            }
            g.writeBooleanField("insecure", r.insecure());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("images");
        for (Image i : fleet.images()) {
            g.writeStartObject();
            g.writeStringField("name", i.name());
            if (i.registry().isPresent()) {
                g.writeStringField("registry", i.registry().get());
            }
            g.writeStringField("repository", i.repository());
            if (i.tag().isPresent()) {
                g.writeStringField("tag", i.tag().get());
            }
            if (i.digest().isPresent()) {
                g.writeStringField("digest", i.digest().get());
            }
            stringList(g, "replicate_to", i.replicateTo());
            g.writeBooleanField("prepull", i.prepull());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("clusters");
        for (Cluster c : fleet.clusters()) {
            g.writeStartObject();
            g.writeStringField("name", c.name());
            g.writeStringField("context", c.context());
            g.writeStringField("namespace", c.namespace());
            if (c.kubeconfig().isPresent()) {
                g.writeStringField("kubeconfig", c.kubeconfig().get());
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("host_pools");
        for (HostPool p : fleet.hostPools()) {
            g.writeStartObject();
            g.writeStringField("name", p.name());
            g.writeBooleanField("local", p.local());
            stringList(g, "agents", p.agents());
            if (p.token().isPresent()) {
                g.writeStringField("token", p.token().get().masked());
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("idcs");
        for (Idc i : fleet.idcs()) {
            g.writeStartObject();
            g.writeStringField("name", i.name());
            g.writeStringField("region", i.region());
            g.writeStringField("target", i.target().toString());
            stringList(g, "modules", i.modules());
            if (i.ipPool().isPresent()) {
                g.writeStringField("ip_pool", i.ipPool().get());
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("zones");
        for (Zone z : fleet.zones()) {
            zone(g, z);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("rollouts");
        for (Rollout r : fleet.rollouts()) {
            g.writeStartObject();
            g.writeStringField("name", r.name());
            g.writeArrayFieldStart("stages");
            for (Stage s : r.stages()) {
                g.writeStartObject();
                g.writeStringField("name", s.name());
                stringList(g, "zones", s.zones());
                stringList(g, "idcs", s.idcs());
                if (s.percent().isPresent()) {
                    g.writeNumberField("percent", s.percent().get());
                }
                g.writeNumberField("max_parallel", s.maxParallel());
                if (s.waitAfter().isPresent()) {
                    g.writeNumberField("wait_seconds", s.waitAfter().get().toMillis() / 1000.0);
                }
                g.writeStringField("gate", s.gate().name().toLowerCase());
                g.writeBooleanField("manual_approval", s.manualApproval());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("outputs");
        for (Output o : fleet.outputs()) {
            g.writeStartObject();
            g.writeStringField("name", o.name());
            g.writeBooleanField("sensitive", o.sensitive());
            g.writeFieldName("value");
            if (o.sensitive()) {
                g.writeString("(sensitive)");
            } else {
                value(g, o.value());
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("moved");
        for (Moved m : fleet.moved()) {
            g.writeStartObject();
            g.writeStringField("from", m.from());
            g.writeStringField("to", m.to());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void zone(JsonGenerator g, Zone z) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", z.name());
        g.writeStringField("address", z.address());
        g.writeStringField("group", z.group());
        g.writeNumberField("index", z.index());
        g.writeStringField("idc", z.idc());
        if (z.module().isPresent()) {
            g.writeStringField("module", z.module().get());
        }
        if (z.origin().isPresent()) {
            g.writeStringField("declared_in", z.origin().get());
        }
        stringMap(g, "labels", z.labels());
        lifecycle(g, z.lifecycle());
        g.writeArrayFieldStart("services");
        for (Service s : z.services()) {
            service(g, s);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void service(JsonGenerator g, Service s) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", s.name());
        g.writeStringField("address", s.address());
        g.writeStringField("image", s.image());
        g.writeNumberField("replicas", s.replicas());
        g.writeObjectFieldStart("cpu");
        g.writeNumberField("millicores", s.cpu().millicores());
        g.writeBooleanField("pinned", s.cpu().pinned());
        g.writeEndObject();
        g.writeNumberField("memory_bytes", s.memoryBytes());
        if (s.disk().isPresent()) {
            Disk d = s.disk().get();
            g.writeObjectFieldStart("disk");
            g.writeNumberField("size_bytes", d.sizeBytes());
            g.writeStringField("mount", d.mountPath());
            g.writeBooleanField("keep_on_replace", d.keepOnReplace());
            g.writeEndObject();
        }
        if (s.io().isPresent()) {
            IoLimits io = s.io().get();
            g.writeObjectFieldStart("io");
            g.writeNumberField("read_bytes_per_second", io.readBytesPerSecond());
            g.writeNumberField("write_bytes_per_second", io.writeBytesPerSecond());
            g.writeNumberField("read_iops", io.readIops());
            g.writeNumberField("write_iops", io.writeIops());
            g.writeEndObject();
        }
        g.writeObjectFieldStart("network");
        g.writeStringField("mode", s.network().mode().name().toLowerCase());
        g.writeBooleanField("fixed_ip", s.network().fixedIp());
        if (s.network().sriov().isPresent()) {
            var v = s.network().sriov().get();
            g.writeObjectFieldStart("sriov");
            if (v.vlan().isPresent()) {
                g.writeNumberField("vlan", v.vlan().get());
            }
            if (v.mac().isPresent()) {
                g.writeStringField("mac", v.mac().get());
            }
            g.writeBooleanField("spoofchk", v.spoofCheck());
            g.writeBooleanField("trust", v.trust());
            g.writeNumberField("min_rate_bytes_per_second", v.minRateBytesPerSecond());
            g.writeNumberField("max_rate_bytes_per_second", v.maxRateBytesPerSecond());
            g.writeStringField("irq", v.irq().name().toLowerCase());
            g.writeBooleanField("rps", v.rps());
            g.writeNumberField("qos", v.qos());
            g.writeStringField("link_state", v.linkState());
            g.writeNumberField("mtu", v.mtu());
            g.writeEndObject();
        }
        g.writeEndObject();
        g.writeStringField("spread", s.spread().name().toLowerCase());
        g.writeStringField("workload", s.workload().name().toLowerCase());
        g.writeObjectFieldStart("ports");
        for (Map.Entry<String, Integer> p : byKey(s.ports())) {
            g.writeNumberField(p.getKey(), p.getValue());
        }
        g.writeEndObject();
        g.writeObjectFieldStart("env");
        for (EnvVar e : s.env()) {
            g.writeStringField(e.name(), e.sensitive() ? "(sensitive)" : e.value());
        }
        g.writeEndObject();
        stringList(g, "command", s.command());
        stringMap(g, "config", s.configFiles());
        if (s.template().isPresent()) {
            g.writeStringField("template", s.template().get());
        }
        lifecycle(g, s.lifecycle());
        g.writeEndObject();
    }

    private static void lifecycle(JsonGenerator g, Lifecycle l) throws IOException {
        g.writeObjectFieldStart("lifecycle");
        g.writeBooleanField("prevent_destroy", l.preventDestroy());
        stringList(g, "ignore_changes", l.ignoreChanges());
        g.writeBooleanField("create_before_destroy", l.createBeforeDestroy());
        g.writeBooleanField("keep_data_on_replace", l.keepDataOnReplace());
        g.writeEndObject();
    }

    private static void stringList(JsonGenerator g, String name, List<String> list) throws IOException {
        g.writeArrayFieldStart(name);
        for (String s : list) {
            g.writeString(s);
        }
        g.writeEndArray();
    }

    private static void stringMap(JsonGenerator g, String name, Map<String, String> map) throws IOException {
        g.writeObjectFieldStart(name);
        for (Map.Entry<String, String> e : byKey(map)) {
            g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }

    /**
     * A map's entries in key order: the model's maps are immutable copies whose iteration order changes from one
     * JVM start to the next, and the same fleet must print the same JSON every time (CI diffs it).
     */
    private static <V> List<Map.Entry<String, V>> byKey(Map<String, V> map) {
        if (map.size() < 2) {
            return List.copyOf(map.entrySet());
        }
        List<Map.Entry<String, V>> entries = new ArrayList<>(map.entrySet());
        entries.sort(Map.Entry.comparingByKey());
        return entries;
    }

    /** A value as JSON; secrets and unknowns as the words a user sees elsewhere. */
    private static void value(JsonGenerator g, Value v) throws IOException {
        if (v.isSensitive()) {
            g.writeString("(sensitive)");
        } else if (v instanceof StringValue s) {
            g.writeString(s.value());
        } else if (v instanceof NumberValue n) {
            g.writeNumber(n.value());
        } else if (v instanceof BoolValue b) {
            g.writeBoolean(b.value());
        } else if (v instanceof NullValue) {
            g.writeNull();
        } else if (v instanceof ListValue l) {
            g.writeStartArray();
            for (Value e : l.elements()) {
                value(g, e);
            }
            g.writeEndArray();
        } else if (v instanceof MapValue m) {
            g.writeStartObject();
            for (Map.Entry<String, Value> e : byKey(m.entries())) {
                g.writeFieldName(e.getKey());
                value(g, e.getValue());
            }
            g.writeEndObject();
        } else {
            g.writeString(v.display());
        }
    }
}
