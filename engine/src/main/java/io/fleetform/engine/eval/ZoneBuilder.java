package io.fleetform.engine.eval;

import io.fleetform.engine.text.Suggest;
import io.fleetform.dsl.ast.Attribute;
import io.fleetform.dsl.ast.Block;
import io.fleetform.dsl.ast.BodyItem;
import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.model.Cpu;
import io.fleetform.engine.model.Disk;
import io.fleetform.engine.model.EnvVar;
import io.fleetform.engine.model.HealthCheck;
import io.fleetform.engine.model.Idc;
import io.fleetform.engine.model.IoLimits;
import io.fleetform.engine.model.IrqBinding;
import io.fleetform.engine.model.Lifecycle;
import io.fleetform.engine.model.Network;
import io.fleetform.engine.model.NetworkMode;
import io.fleetform.engine.model.Service;
import io.fleetform.engine.model.Init;
import io.fleetform.engine.model.Spread;
import io.fleetform.engine.model.Sriov;
import io.fleetform.engine.model.Workload;
import io.fleetform.engine.model.Zone;
import io.fleetform.engine.eval.Shared.Part;
import io.fleetform.engine.value.Dimension;
import io.fleetform.engine.value.Entity;
import io.fleetform.engine.value.MountValue;
import io.fleetform.engine.value.QuantityValue;
import io.fleetform.engine.value.SensitiveValue;
import io.fleetform.engine.value.StringValue;
import io.fleetform.engine.value.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Builds zones and their services, checking what can be known before touching infrastructure. */
final class ZoneBuilder {
    private static final Map<String, NetworkMode> NETWORK_MODES = ordered("bridge", NetworkMode.BRIDGE, "host",
            NetworkMode.HOST, "overlay", NetworkMode.OVERLAY, "sriov", NetworkMode.SRIOV, "underlay",
            NetworkMode.UNDERLAY, "agent_bridge", NetworkMode.AGENT_BRIDGE);
    private static final Map<String, Init> INITS = ordered("docker", Init.DOCKER, "systemd", Init.SYSTEMD, "none",
            Init.NONE);
    private static final Map<String, Spread> SPREADS = ordered("host", Spread.HOST, "rack", Spread.RACK, "none",
            Spread.NONE);
    private static final Map<String, IrqBinding> IRQ = ordered("local", IrqBinding.LOCAL, "any", IrqBinding.ANY);
    private static final Map<String, Boolean> IP_MODES = ordered("fixed", true, "floating", false);
    private static final Map<String, Workload> WORKLOADS = ordered("statefulset", Workload.STATEFULSET, "deployment",
            Workload.DEPLOYMENT, "cloneset", Workload.CLONESET, "advanced_statefulset", Workload.ADVANCED_STATEFULSET,
            "gameserverset", Workload.GAMESERVERSET);
    private static final Set<String> SRIOV_ONLY = Set.of("vlan", "mac", "spoofchk", "trust", "min_rate", "max_rate",
            "irq", "rps", "qos", "link_state", "mtu");
    private static final Map<String, String> LINK_STATES = ordered("auto", "auto", "enable", "enable", "disable",
            "disable");

    private final EvalContext context;
    private final Map<String, Idc> idcs;
    /** Equal immutable parts of zones and services, kept once per block (see {@link Shared}). */
    private final Map<Block, Shared> shared = new java.util.IdentityHashMap<>();

    ZoneBuilder(EvalContext context, Map<String, Idc> idcs) {
        this.context = context;
        this.idcs = idcs;
    }

    /** A builder for another thread: its own shared parts, the same IDCs. */
    ZoneBuilder fork() {
        return new ZoneBuilder(context, idcs);
    }

    Zone zone(ZoneEntity entity) {
        SourceSpan header = entity.group().block().headerSpan();
        Located idcValue = entity.located("idc");
        String idcName = null;
        if (idcValue == null) {
            context.diagnostics().error("missing-attribute", header, "zone \"" + entity.name() + "\" has no idc",
                    "set idc = idc.NAME: every zone is placed in one IDC");
        } else {
            Entity idc = Coerce.reference(context, idcValue, "idc", "idc");
            idcName = idc == null ? null : idc.name();
        }
        Optional<String> module = optionalString(entity.located("module"), "module");
        Idc idc = idcName == null ? null : idcs.get(idcName);
        if (idc != null && module.isPresent() && !idc.modules().contains(module.get())) {
            context.diagnostics().error("unknown-idc-module", entity.located("module").span(), "\"" + module.get()
                    + "\" is not a module of idc " + idc.name(), idc.modules().isEmpty() ? "idc " + idc.name()
                    + " declares no modules" : "its modules: " + String.join(", ", idc.modules()));
        }
        Located labelsValue = entity.located("labels");
        Map<String, String> labels = labelsValue == null ? Map.of()
                : orEmpty(Coerce.stringMap(context, labelsValue, "labels"));
        List<Service> services = new ArrayList<>();
        for (ServiceEntity service : entity.services().values()) {
            Service built = service(service, idcName, module);
            if (built != null) {
                services.add(built);
            }
        }
        Lifecycle lifecycle = lifecycle(entity, Set.of("idc", "module", "labels", "services"));
        Optional<String> origin = entity.module().isRoot() ? Optional.empty()
                : Optional.of(entity.module().prefix().replaceAll("\\.$", ""));
        Shared parts = shared(entity.group().block());
        return new Zone(entity.name(), entity.group().label(), entity.index(), idcName == null ? "" : idcName,
                parts.of(Part.MODULE, module), parts.of(Part.LABELS, Map.copyOf(labels)), services,
                parts.of(Part.LIFECYCLE, lifecycle), parts.of(Part.ORIGIN, origin), header);
    }

    private Service service(ServiceEntity s, String zoneIdc, Optional<String> zoneModule) {
        SourceSpan header = s.block().headerSpan();
        String image = required(s, "image", header, v -> {
            Entity e = Coerce.reference(context, v, "image", "image");
            return e == null ? null : e.name();
        }, "image = image.NAME");
        Cpu cpu = required(s, "cpu", header, this::cpu, "cpu = 2 cores");
        Long memory = required(s, "memory", header, v -> positive(v, Coerce.wholeBase(context, v, Dimension.SIZE,
                "memory"), "memory"), "memory = 4Gi");
        Long replicas = optional(s.located("replicas"), v -> Coerce.integer(context, v, "replicas", 0, 10_000));
        Network network = network(s, cpu);
        Spread spread = enumeration(s.located("spread"), SPREADS, "spread", Spread.NONE);
        Boolean stateless = optional(s.located("stateless"), v -> Coerce.bool(context, v, "stateless"));
        Workload workload = enumeration(s.located("workload"), WORKLOADS, "workload",
                Boolean.TRUE.equals(stateless) ? Workload.DEPLOYMENT : Workload.STATEFULSET);
        Init init = enumeration(s.located("init"), INITS, "init", Init.DOCKER);
        Shared parts = shared(s.block());
        Map<String, Integer> ports = ports(s.located("ports"), parts);
        List<EnvVar> env = env(s.located("env"));
        List<String> command = strings(s.located("command"), "command");
        Map<String, String> config = s.located("config") == null ? Map.of()
                : orEmpty(Coerce.stringMap(context, s.located("config"), "config"));
        sameIdc(s, zoneIdc);
        sameModule(s, zoneModule);
        Optional<Disk> disk = disk(s);
        Optional<IoLimits> io = io(s);
        Lifecycle lifecycle = lifecycle(s, Schema.SERVICE_IGNORABLE);
        Optional<HealthCheck> health = health(s, ports);
        if (io.isPresent() && disk.isEmpty()) {
            context.diagnostics().error("io-without-disk", s.nestedBlock("io").headerSpan(),
                    "io caps apply to the data disk, but this service has none", "add disk = 20Gi at \"/data\"");
        }
        if (image == null || cpu == null || memory == null || network == null) {
            return null;
        }
        return new Service(s.name(), s.zone().name(), image, replicas == null ? 1 : replicas.intValue(),
                parts.of(Part.CPU, cpu), memory, parts.of(Part.DISK, disk), parts.of(Part.IO, io),
                parts.of(Part.NETWORK, network), spread, workload, init, parts.of(Part.PORTS, Map.copyOf(ports)),
                parts.ofEach(Part.ENV, env), parts.of(Part.COMMAND, List.copyOf(command)),
                parts.of(Part.CONFIG, Map.copyOf(config)), parts.of(Part.LIFECYCLE, lifecycle),
                parts.of(Part.HEALTH, health), parts.of(Part.TEMPLATE, s.template()), s.block().span());
    }

    private Shared shared(Block block) {
        return shared.computeIfAbsent(block, b -> new Shared());
    }

    private Cpu cpu(Located value) {
        QuantityValue q = Coerce.quantity(context, value, Dimension.CPU, "cpu");
        if (q == null) {
            return null;
        }
        if (q.amount().compareTo(Coerce.MAX_WHOLE) > 0) {
            // longValue() would wrap: 1e20 cores must not become some other number of cores, nor "not more than 0"
            context.diagnostics().error("out-of-range", value.span(), "cpu is too large: " + q.display(),
                    "at most " + Coerce.MAX_WHOLE.toPlainString() + " millicores");
            return null;
        }
        long millicores = q.amount().setScale(0, java.math.RoundingMode.DOWN).longValueExact();
        if (millicores <= 0) {
            context.diagnostics().error("out-of-range", value.span(), "cpu must be more than 0", "");
            return null;
        }
        if (q.pinned() && millicores % 1000 != 0) {
            context.diagnostics().error("pinned-fraction", value.span(), "pinned CPU must be whole cores, found "
                    + millicores + "m", "pin " + Math.max(1, (millicores + 999) / 1000)
                    + " cores, or drop 'pinned' for a shared " + millicores + "m");
            return null;
        }
        return new Cpu(millicores, q.pinned());
    }

    /** Zero memory or a zero-sized disk is always a slip (a missing unit, a wrong variable), never a wish. */
    private Long positive(Located where, Long amount, String what) {
        if (amount != null && amount == 0) {
            context.diagnostics().error("zero-size", where.span(), what + " cannot be zero", "e.g. " + what + " = "
                    + (what.equals("memory") ? "4Gi" : "50Gi at \"/data\""));
            return null;
        }
        return amount;
    }

    private Network network(ServiceEntity s, Cpu cpu) {
        Layer deciding = s.deciding("network");
        if (deciding == null) {
            return new Network(NetworkMode.BRIDGE, Optional.empty(), true);
        }
        Boolean fixedIp = true;
        NetworkMode mode;
        Block block = deciding.nested("network");
        if (deciding.attribute("network") != null) {
            mode = Coerce.enumeration(context, s.located("network"), NETWORK_MODES, "network");
            block = null;
        } else {
            String label = block.label().map(l -> l.value()).orElse("");
            mode = NETWORK_MODES.get(label);
            if (mode == null) {
                context.diagnostics().error("invalid-choice", block.labels().isEmpty() ? block.headerSpan()
                        : block.labels().get(0).span(), "network must be one of " + String.join(", ",
                        NETWORK_MODES.keySet()) + "; found \"" + label + "\"", Suggest.didYouMean(label,
                        NETWORK_MODES.keySet()));
                return null;
            }
            Located ip = s.nested("network", "ip");
            if (ip != null) {
                fixedIp = Coerce.enumeration(context, ip, IP_MODES, "ip");
            }
        }
        if (mode == null) {
            return null;
        }
        if (mode != NetworkMode.SRIOV) {
            if (block != null) {
                for (BodyItem item : block.items()) {
                    if (item instanceof Attribute a && SRIOV_ONLY.contains(a.name().name())) {
                        context.diagnostics().error("sriov-only", a.name().span(), a.name().name()
                                + " applies to sriov networks only", "");
                    }
                }
            }
            return new Network(mode, Optional.empty(), fixedIp == null || fixedIp);
        }
        Long vlan = optional(s.nested("network", "vlan"), v -> Coerce.integer(context, v, "vlan", 1, 4094));
        Optional<String> mac = optionalString(s.nested("network", "mac"), "mac");
        if (mac.isPresent() && !mac.get().matches("(?i)[0-9a-f]{2}(:[0-9a-f]{2}){5}")) {
            context.diagnostics().error("invalid-mac", s.nested("network", "mac").span(), "\"" + mac.get()
                    + "\" is not a MAC address", "write it like \"02:00:00:00:00:01\"");
        }
        Boolean spoofCheck = optional(s.nested("network", "spoofchk"), v -> Coerce.bool(context, v, "spoofchk"));
        Boolean trust = optional(s.nested("network", "trust"), v -> Coerce.bool(context, v, "trust"));
        Long minRate = optional(s.nested("network", "min_rate"),
                v -> Coerce.wholeBase(context, v, Dimension.RATE, "min_rate"));
        Long maxRate = optional(s.nested("network", "max_rate"),
                v -> Coerce.wholeBase(context, v, Dimension.RATE, "max_rate"));
        // irq = local by default where there are pinned cores to bind to; a shared-CPU service's IRQs stay anywhere
        IrqBinding irq = enumeration(s.nested("network", "irq"), IRQ, "irq", cpu == null || cpu.pinned()
                ? IrqBinding.LOCAL : IrqBinding.ANY);
        Boolean rps = optional(s.nested("network", "rps"), v -> Coerce.bool(context, v, "rps"));
        Long qos = optional(s.nested("network", "qos"), v -> Coerce.integer(context, v, "qos", 0, 7));
        if (qos != null && qos != 0 && vlan == null) {
            context.diagnostics().error("qos-needs-vlan", s.nested("network", "qos").span(),
                    "qos is the 802.1p priority of the VF's VLAN, but no vlan is set", "set vlan = <id> or drop qos");
        }
        String linkState = enumeration(s.nested("network", "link_state"), LINK_STATES, "link_state", "auto");
        Long mtu = optional(s.nested("network", "mtu"), v -> Coerce.integer(context, v, "mtu", 68, 65535));
        if (irq == IrqBinding.LOCAL && cpu != null && !cpu.pinned()) {
            Located irqValue = s.nested("network", "irq");
            context.diagnostics().error("irq-needs-pinned", irqValue != null ? irqValue.span()
                            : block != null ? block.headerSpan() : s.located("network").span(),
                    "irq = local binds the VF's interrupts to the service's pinned cores, but its cpu is not pinned",
                    "pin the cpu (cpu = 4 cores pinned) or set irq = any");
        }
        if (minRate != null && maxRate != null && minRate > maxRate) {
            context.diagnostics().error("out-of-range", s.nested("network", "min_rate").span(),
                    "min_rate is above max_rate", "");
        }
        Sriov sriov = new Sriov(Optional.ofNullable(vlan).map(Long::intValue), mac, spoofCheck == null || spoofCheck,
                trust != null && trust, minRate == null ? 0 : minRate, maxRate == null ? 0 : maxRate, irq,
                rps != null && rps, qos == null ? 0 : qos.intValue(), linkState == null ? "auto" : linkState,
                mtu == null ? Sriov.DEFAULT_MTU : mtu.intValue());
        return new Network(mode, Optional.of(sriov), fixedIp == null || fixedIp);
    }

    private Optional<Disk> disk(ServiceEntity s) {
        Layer deciding = s.deciding("disk");
        if (deciding == null) {
            return Optional.empty();
        }
        Boolean keep = optional(s.nested("lifecycle", "keep_data_on_replace"),
                v -> Coerce.bool(context, v, "keep_data_on_replace"));
        if (deciding.attribute("disk") != null) {
            Located value = s.located("disk");
            Value plain = Coerce.plain(context, value, "disk", false);
            if (plain instanceof MountValue mount) {
                Long size = positive(value, Coerce.wholeBase(context, new Located("disk", mount.size(), value.span()),
                        Dimension.SIZE, "disk"), "disk");
                return size == null ? Optional.empty() : Optional.of(new Disk(size, mount.path(), keep != null && keep));
            }
            if (plain == null) {
                return Optional.empty();
            }
            Long size = positive(value, Coerce.wholeBase(context, value, Dimension.SIZE, "disk"), "disk");
            return size == null ? Optional.empty() : Optional.of(new Disk(size, "/data", keep != null && keep));
        }
        Located sizeValue = s.nested("disk", "size");
        if (sizeValue == null) {
            context.diagnostics().error("missing-attribute", deciding.nested("disk").headerSpan(), "disk has no size",
                    "e.g. disk { size = 200Gi  mount = \"/data\" }");
            return Optional.empty();
        }
        Long size = Coerce.wholeBase(context, sizeValue, Dimension.SIZE, "disk size");
        Optional<String> mount = optionalString(s.nested("disk", "mount"), "mount");
        if (mount.isPresent() && !mount.get().startsWith("/")) {
            context.diagnostics().error("type-mismatch", s.nested("disk", "mount").span(),
                    "a disk is mounted at an absolute path such as \"/data\"", "");
        }
        Boolean keepOnReplace = optional(s.nested("disk", "keep_on_replace"),
                v -> Coerce.bool(context, v, "keep_on_replace"));
        boolean kept = (keepOnReplace != null && keepOnReplace) || (keep != null && keep);
        return size == null ? Optional.empty() : Optional.of(new Disk(size, mount.orElse("/data"), kept));
    }

    private Optional<IoLimits> io(ServiceEntity s) {
        if (s.nestedBlock("io") == null) {
            return Optional.empty();
        }
        Long read = optional(s.nested("io", "read"), v -> Coerce.wholeBase(context, v, Dimension.RATE, "read"));
        Long write = optional(s.nested("io", "write"), v -> Coerce.wholeBase(context, v, Dimension.RATE, "write"));
        Long readIops = optional(s.nested("io", "read_iops"),
                v -> Coerce.integer(context, v, "read_iops", 1, 10_000_000));
        Long writeIops = optional(s.nested("io", "write_iops"),
                v -> Coerce.integer(context, v, "write_iops", 1, 10_000_000));
        return Optional.of(new IoLimits(orZero(read), orZero(write), orZero(readIops), orZero(writeIops)));
    }

    /**
     * {@code health { http = "/healthz"  port = "http" }}: exactly one probe (tcp, http or exec); a
     * port is one of the service's port names or a container port number.
     */
    private Optional<HealthCheck> health(ServiceEntity s, Map<String, Integer> ports) {
        Block block = s.nestedBlock("health");
        if (block == null) {
            return Optional.empty();
        }
        Located tcp = s.nested("health", "tcp");
        Located http = s.nested("health", "http");
        Located exec = s.nested("health", "exec");
        Located port = s.nested("health", "port");
        int kinds = (tcp == null ? 0 : 1) + (http == null ? 0 : 1) + (exec == null ? 0 : 1);
        if (kinds != 1) {
            context.diagnostics().error(kinds == 0 ? "missing-attribute" : "conflicting-attributes",
                    kinds == 0 ? block.headerSpan() : (http != null && tcp != null ? http : exec).span(),
                    kinds == 0 ? "health has no probe" : "health has more than one probe",
                    "a health block runs one probe: tcp = \"game\", http = \"/healthz\" (with port = ...) or "
                            + "exec = [\"cmd\", ...]");
            return Optional.empty();
        }
        if (port != null && http == null) {
            context.diagnostics().error("unknown-attribute", port.span(), "port belongs to an http probe",
                    tcp != null ? "a tcp probe names its port itself: tcp = \"game\" or tcp = 7000" : "");
            return Optional.empty();
        }
        HealthCheck.Probe probe;
        if (tcp != null) {
            Integer p = probePort(tcp, "tcp", ports);
            probe = p == null ? null : new HealthCheck.Tcp(p);
        } else if (http != null) {
            String path = Coerce.string(context, http, "http");
            if (path != null && !path.startsWith("/")) {
                context.diagnostics().error("type-mismatch", http.span(), "an http probe asks for a path such as "
                        + "\"/healthz\", found \"" + path + "\"", "write the port as port = ..., the path here");
                path = null;
            }
            Integer p;
            if (port != null) {
                p = probePort(port, "port", ports);
            } else if (ports.size() == 1) {
                p = ports.values().iterator().next();
            } else {
                context.diagnostics().error("missing-attribute", http.span(), "the http probe has no port"
                        + (ports.isEmpty() ? "" : " and the service has " + ports.size() + " ports"),
                        ports.isEmpty() ? "add port = 8080 (a container port)" : "add port = one of "
                                + String.join(", ", new java.util.TreeSet<>(ports.keySet())).replaceAll("([^, ]+)",
                                "\"$1\""));
                p = null;
            }
            probe = path == null || p == null ? null : new HealthCheck.Http(path, p);
        } else {
            List<String> command = strings(exec, "exec");
            if (command.isEmpty() && Coerce.list(context, exec, "exec") != null) {
                context.diagnostics().error("out-of-range", exec.span(), "exec needs a command",
                        "e.g. exec = [\"sh\", \"-c\", \"test -f /tmp/ready\"]");
            }
            probe = command.isEmpty() ? null : new HealthCheck.Exec(command);
        }
        Long interval = millis(s.nested("health", "interval"), "interval", 5_000);
        Long timeout = millis(s.nested("health", "timeout"), "timeout", 2_000);
        Long healthyAfter = optional(s.nested("health", "healthy_after"),
                v -> Coerce.integer(context, v, "healthy_after", 1, 1000));
        Long unhealthyAfter = optional(s.nested("health", "unhealthy_after"),
                v -> Coerce.integer(context, v, "unhealthy_after", 1, 1000));
        if (interval != null && timeout != null && timeout > interval) {
            context.diagnostics().error("out-of-range", s.nested("health", "timeout").span(),
                    "the probe's timeout is longer than its interval", "make timeout at most interval ("
                            + interval + "ms)");
            return Optional.empty();
        }
        if (probe == null || interval == null || timeout == null) {
            return Optional.empty();
        }
        return Optional.of(new HealthCheck(probe, java.time.Duration.ofMillis(interval),
                java.time.Duration.ofMillis(timeout), healthyAfter == null ? 1 : healthyAfter.intValue(),
                unhealthyAfter == null ? 3 : unhealthyAfter.intValue(), block.span()));
    }

    /** A probe's port: a port name of the service, or a container port number. */
    private Integer probePort(Located value, String what, Map<String, Integer> ports) {
        Value plain = Coerce.plain(context, value, what, false);
        if (plain instanceof StringValue name) {
            Integer p = ports.get(name.value());
            if (p == null) {
                context.diagnostics().error("unknown-port", value.span(), "the service has no port \"" + name.value()
                        + "\"", ports.isEmpty() ? "it declares no ports; name a container port number"
                        : Suggest.didYouMean(name.value(), ports.keySet()));
            }
            return p;
        }
        if (plain == null) {
            return null;
        }
        Long n = Coerce.integer(context, value, what, 1, 65535);
        return n == null ? null : n.intValue();
    }

    private Long millis(Located value, String what, long fallback) {
        if (value == null) {
            return fallback;
        }
        Long ms = Coerce.wholeBase(context, value, Dimension.DURATION, what);
        if (ms != null && ms < 100) {
            context.diagnostics().error("out-of-range", value.span(), what + " must be at least 100ms", "");
            return null;
        }
        return ms;
    }

    Lifecycle lifecycle(LayeredEntity entity, Set<String> attributes) {
        if (entity.nestedBlock("lifecycle") == null) {
            return Lifecycle.DEFAULT;
        }
        Boolean prevent = optional(entity.nested("lifecycle", "prevent_destroy"),
                v -> Coerce.bool(context, v, "prevent_destroy"));
        Boolean cbd = optional(entity.nested("lifecycle", "create_before_destroy"),
                v -> Coerce.bool(context, v, "create_before_destroy"));
        Boolean keep = optional(entity.nested("lifecycle", "keep_data_on_replace"),
                v -> Coerce.bool(context, v, "keep_data_on_replace"));
        List<String> ignore = new ArrayList<>();
        Located ignoreValue = entity.nested("lifecycle", "ignore_changes");
        if (ignoreValue != null) {
            List<Located> items = Coerce.list(context, ignoreValue, "ignore_changes");
            for (Located item : items == null ? List.<Located>of() : items) {
                if (Coerce.refusedSensitive(context, item, "ignore_changes")) {
                    continue;
                }
                Value plain = item.value().unwrap();
                String name = plain instanceof StringValue str ? str.value() : plain.display();
                if (!attributes.contains(name)) {
                    context.diagnostics().error("unknown-attribute", item.span(), "ignore_changes names \"" + name
                            + "\", which is not an attribute here", Suggest.didYouMean(name, attributes));
                }
                ignore.add(name);
            }
        }
        return new Lifecycle(prevent != null && prevent, ignore, cbd != null && cbd, keep != null && keep);
    }

    private void sameIdc(ServiceEntity s, String zoneIdc) {
        Located value = s.located("idc");
        if (value == null || zoneIdc == null) {
            return;
        }
        Entity idc = Coerce.reference(context, value, "idc", "idc");
        if (idc != null && !idc.name().equals(zoneIdc)) {
            context.diagnostics().error("zone-spans-idcs", value.span(), "service \"" + s.name() + "\" is placed in idc "
                    + idc.name() + " but its zone is in idc " + zoneIdc, "a zone's services stay in one IDC so its "
                    + "traffic never crosses IDCs; move the service to a zone in " + idc.name());
        }
    }

    private void sameModule(ServiceEntity s, Optional<String> zoneModule) {
        Located value = s.located("module");
        if (value == null) {
            return;
        }
        String module = Coerce.string(context, value, "module");
        if (module != null && zoneModule.isPresent() && !module.equals(zoneModule.get())) {
            context.diagnostics().error("zone-spans-modules", value.span(), "service \"" + s.name()
                    + "\" is placed in IDC module " + module + " but its zone is in " + zoneModule.get(),
                    "a zone's services stay in one IDC module");
        }
    }

    /** The ports; a number equal to the previous zone's port of that name is that zone's {@code Integer}. */
    @SuppressWarnings("unchecked")
    private Map<String, Integer> ports(Located value, Shared parts) {
        if (value == null) {
            return Map.of();
        }
        Map<String, Value> map = Coerce.entries(context, value, "ports");
        // The immutable map Map.copyOf would make of the ports in this order (the same map, the same order
        // of iteration), made at once instead of through a linked hash map per service.
        @SuppressWarnings("unchecked")
        Map.Entry<String, Integer>[] ports = new Map.Entry[map == null ? 0 : map.size()];
        int count = 0;
        Map<String, Integer> previous = (Map<String, Integer>) parts.previous(Part.PORTS);
        for (Map.Entry<String, Value> e : map == null ? Map.<String, Value>of().entrySet() : map.entrySet()) {
            // The port's name for a message is built only when there is one to give (200,000 services).
            Long port = Coerce.quietInteger(e.getValue(), 1, 65535);
            if (port == null) {
                port = Coerce.integer(context, Coerce.entry(value, e.getValue()), "port \"" + e.getKey() + "\"", 1,
                        65535);
            }
            if (port != null) {
                Integer before = previous == null ? null : previous.get(e.getKey());
                ports[count++] = Map.entry(e.getKey(), before != null && before == port.intValue() ? before
                        : Integer.valueOf(port.intValue()));
            }
        }
        return Map.ofEntries(count == ports.length ? ports : java.util.Arrays.copyOf(ports, count));
    }

    /**
     * An environment variable name both targets accept (Kubernetes' rule, {@code [-._a-zA-Z][-._a-zA-Z0-9]*};
     * Docker's is looser). Checked by hand: a regular expression's matcher per variable was a twentieth
     * of building a large fleet's services.
     */
    static boolean isEnvName(String name) {
        if (name.isEmpty() || name.charAt(0) >= '0' && name.charAt(0) <= '9') {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.'
                    || c == '_')) {
                return false;
            }
        }
        return true;
    }

    private List<EnvVar> env(Located value) {
        if (value == null) {
            return List.of();
        }
        Map<String, Value> map = Coerce.entries(context, value, "env");
        List<EnvVar> env = new ArrayList<>(map == null ? 0 : map.size());
        for (Map.Entry<String, Value> e : map == null ? Map.<String, Value>of().entrySet() : map.entrySet()) {
            Value v = e.getValue();
            if (!isEnvName(e.getKey())) {
                // "A=B" would set A to "B=value" on a host, "" makes Docker echo the value in its refusal, and
                // Kubernetes refuses both at apply: the plan must not promise them.
                context.diagnostics().error("invalid-env-name", Coerce.entry(value, v).span(), "env name \""
                        + e.getKey() + "\" is not a variable name",
                        "names are letters, digits, _ . and -, not starting with a digit");
                continue;
            }
            if (v instanceof SensitiveValue) {
                var secret = Coerce.secret(context, Coerce.entry(value, v), "env " + e.getKey());
                if (secret != null) {
                    env.add(new EnvVar(e.getKey(), secret.value(), true));
                }
            } else if (v instanceof StringValue plain) {
                env.add(new EnvVar(e.getKey(), plain.value(), false)); // what Coerce.string gives, without a message
            } else {
                String text = Coerce.string(context, Coerce.entry(value, v), "env " + e.getKey());
                if (text != null) {
                    env.add(new EnvVar(e.getKey(), text, false));
                }
            }
        }
        return env;
    }

    private List<String> strings(Located value, String what) {
        if (value == null) {
            return List.of();
        }
        List<Located> items = Coerce.list(context, value, what);
        List<String> result = new ArrayList<>();
        for (Located item : items == null ? List.<Located>of() : items) {
            String s = Coerce.string(context, item, what);
            if (s != null) {
                result.add(s);
            }
        }
        return result;
    }

    private <T> T required(LayeredEntity entity, String attribute, SourceSpan header,
                           java.util.function.Function<Located, T> read, String example) {
        Located value = entity.located(attribute);
        if (value == null && !misspelt(entity, attribute)
                && !(entity instanceof ServiceEntity service && service.templateFailed())) {
            context.diagnostics().error("missing-attribute", header, entity.kind() + " \"" + entity.name() + "\" has no "
                    + attribute, "set " + example + ", or build it from a template that does");
            return null;
        }
        return value == null ? null : read.apply(value);
    }

    /** True when a misspelling of the attribute is there (already reported as unknown with "did you mean"). */
    private static boolean misspelt(LayeredEntity entity, String attribute) {
        for (Layer layer : entity.layers()) {
            for (String name : layer.attributes().keySet()) {
                if (!Schema.SERVICE_ATTRIBUTES.contains(name)
                        && Suggest.closest(name, Schema.SERVICE_ATTRIBUTES).filter(attribute::equals).isPresent()) {
                    return true;
                }
            }
        }
        return false;
    }

    private static <T> T optional(Located value, java.util.function.Function<Located, T> read) {
        return value == null ? null : read.apply(value);
    }

    private Optional<String> optionalString(Located value, String what) {
        return value == null ? Optional.empty() : Optional.ofNullable(Coerce.string(context, value, what));
    }

    private <T> T enumeration(Located value, Map<String, T> choices, String what, T fallback) {
        if (value == null) {
            return fallback;
        }
        T result = Coerce.enumeration(context, value, choices, what);
        return result == null ? fallback : result;
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }

    private static <K, V> Map<K, V> orEmpty(Map<K, V> map) {
        return map == null ? Map.of() : map;
    }

    @SuppressWarnings("unchecked")
    static <T> Map<String, T> ordered(Object... pairs) {
        Map<String, T> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], (T) pairs[i + 1]);
        }
        return map;
    }
}
