package io.fleetform.engine.eval;

import io.fleetform.engine.net.Cidr;
import io.fleetform.engine.text.Suggest;
import io.fleetform.dsl.ast.Attribute;
import io.fleetform.dsl.ast.Block;
import io.fleetform.dsl.ast.BodyItem;
import io.fleetform.dsl.ast.Expression;
import io.fleetform.dsl.ast.GetAttr;
import io.fleetform.dsl.ast.IndexExpr;
import io.fleetform.dsl.ast.Variable;
import io.fleetform.dsl.diag.Diagnostics;
import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.model.Cluster;
import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.model.HostPool;
import io.fleetform.engine.model.Idc;
import io.fleetform.engine.model.Image;
import io.fleetform.engine.model.Moved;
import io.fleetform.engine.model.Output;
import io.fleetform.engine.model.Registry;
import io.fleetform.engine.model.Rollout;
import io.fleetform.engine.model.Secret;
import io.fleetform.engine.model.Stage;
import io.fleetform.engine.model.MetricGate;
import io.fleetform.engine.model.TargetRef;
import io.fleetform.engine.model.Zone;
import io.fleetform.engine.value.Dimension;
import io.fleetform.engine.value.Entity;
import io.fleetform.engine.value.ErrorValue;
import io.fleetform.engine.value.SensitiveValue;
import io.fleetform.engine.value.StringValue;
import io.fleetform.engine.value.Value;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the typed {@link Fleet} from the root module: reads every declaration (so every
 * mistake is found, used or not), converts values to model fields, and checks what can be
 * checked before touching infrastructure.
 */
final class ModelBuilder {
    private static final Map<String, Stage.Gate> GATES = ZoneBuilder.ordered("healthy", Stage.Gate.HEALTHY, "none",
            Stage.Gate.NONE);
    private static final Map<String, Boolean> APPROVALS = ZoneBuilder.ordered("auto", false, "manual", true);

    /** Fewer zones than this in a module are built on one thread: starting threads would cost more. */
    static final int PARALLEL_ZONES = 256;
    /** Zones a thread takes at a time: consecutive zones, so that it shares their equal parts. */
    private static final int CHUNK = 64;

    private final EvalContext context;
    private final int threads;
    /** The diagnostics there were before this run: zones are built in parallel only while there are no new ones. */
    private final int quiet;
    private boolean builtInParallel;

    /** {@code threads} above 1 builds the zones of large modules in parallel; see {@link #builtInParallel()}. */
    ModelBuilder(EvalContext context, int threads, int quiet) {
        this.context = context;
        this.threads = threads;
        this.quiet = quiet;
    }

    /**
     * Whether some zones were built in parallel. The model is then the sequential one, but a
     * diagnostic found meanwhile may be in another order, or missing (a value two threads computed
     * reports its mistake once, on either): such a run is only kept when it found none.
     */
    boolean builtInParallel() {
        return builtInParallel;
    }

    Fleet build(ModuleInstance root, SourceSpan firstFile) {
        List<Block> fleetBlocks = root.fleetBlocks();
        if (fleetBlocks.isEmpty()) {
            context.diagnostics().error("missing-fleet", firstFile, "no fleet block",
                    "every fleet declares itself once: fleet \"mt2\" { owner = \"mt2-ops\" }");
        }
        for (int i = 1; i < fleetBlocks.size(); i++) {
            context.diagnostics().error("duplicate", fleetBlocks.get(i).headerSpan(), "fleet is declared twice",
                    "first declared at " + fleetBlocks.get(0).headerSpan().location());
        }
        Block fleetBlock = fleetBlocks.isEmpty() ? null : fleetBlocks.get(0);
        Layer fleetLayer = fleetBlock == null ? null : Layer.shared("fleet", fleetBlock, root.scope());
        String owner = fleetLayer == null ? "" : string(fleetLayer, "owner", "");
        if (fleetLayer != null) {
            string(fleetLayer, "description", "");
        }
        Map<String, String> labels = fleetLayer == null || fleetLayer.attribute("labels") == null ? Map.of()
                : orEmpty(Coerce.stringMap(context, located(fleetLayer, "labels"), "labels"));

        Map<String, Value> variables = variables(root);
        root.locals().keySet().forEach(name -> context.guard(() -> root.local(name, SourceSpan.NONE), null));

        List<Registry> registries = root.declared("registry").stream().map(this::registry).toList();
        Map<String, Registry> registryByName = new HashMap<>();
        registries.forEach(r -> registryByName.put(r.name(), r));
        List<Image> images = root.declared("image").stream().map(e -> image(e, registryByName)).toList();
        List<Cluster> clusters = root.declared("cluster").stream()
                .map(e -> cluster(e, fleetBlock == null ? "default" : root.fleetName())).toList();
        List<HostPool> hostPools = root.declared("hosts").stream().map(this::hostPool).toList();
        Map<String, HostPool> poolByName = new HashMap<>();
        hostPools.forEach(p -> poolByName.put(p.name(), p));
        List<Idc> idcs = new ArrayList<>();
        for (DeclaredEntity e : root.declared("idc")) {
            Idc idc = idc(e, poolByName);
            if (idc != null) {
                idcs.add(idc);
            }
        }
        Map<String, Idc> idcByName = new LinkedHashMap<>();
        idcs.forEach(i -> idcByName.put(i.name(), i));
        root.declared("template").forEach(t -> t.layers());

        List<Zone> zones = new ArrayList<>();
        collectZones(root, new ZoneBuilder(context, idcByName), zones);
        crossZoneChecks(zones, idcByName, poolByName, context.diagnostics(),
                threads > 1 && zones.size() >= PARALLEL_ZONES);
        // A local nothing uses is still the user's code: its mistakes are reported like any other.
        root.locals().keySet().forEach(name -> context.guard(() -> root.local(name, SourceSpan.NONE), null));
        List<Rollout> rollouts = root.declared("rollout").stream().map(this::rollout).toList();
        List<Output> outputs = outputs(root);
        List<Moved> moved = root.movedBlocks().stream().map(this::moved).filter(m -> m != null).toList();
        String name = fleetBlock == null ? "" : root.fleetName();
        return new Fleet(name, owner, labels, variables, registries, images, clusters, hostPools, idcs, zones, rollouts,
                outputs, moved, fleetBlock == null ? firstFile : fleetBlock.headerSpan());
    }

    /**
     * The checks that look across all zones: the Kubernetes names, then the network modes. With
     * {@code inParallel} the name check runs on a second thread beside the network check, each into
     * diagnostics of its own, which are then added in the order of one thread: the same messages in the
     * same order either way.
     */
    static void crossZoneChecks(List<Zone> zones, Map<String, Idc> idcs, Map<String, HostPool> pools,
                                Diagnostics diagnostics, boolean inParallel) {
        if (!inParallel) {
            KubernetesNames.check(zones, idcs, diagnostics);
            NetworkTargets.check(zones, idcs, pools, diagnostics);
            return;
        }
        Diagnostics names = new Diagnostics();
        Throwable[] failure = new Throwable[1];
        Thread helper = new Thread(() -> {
            try {
                KubernetesNames.check(zones, idcs, names);
            } catch (Throwable t) {
                failure[0] = t; // thrown on the calling thread below, as a sequential check would have
            }
        }, "fleetform-names");
        helper.setDaemon(true);
        helper.start();
        Diagnostics network = new Diagnostics();
        try {
            NetworkTargets.check(zones, idcs, pools, network);
        } finally {
            boolean interrupted = false;
            while (helper.isAlive()) {
                try {
                    helper.join();
                } catch (InterruptedException e) {
                    interrupted = true; // the helper reads the zones: it is waited for, then the flag restored
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (failure[0] instanceof RuntimeException e) {
            throw e;
        } else if (failure[0] instanceof Error e) {
            throw e;
        }
        diagnostics.addAll(names);
        diagnostics.addAll(network);
    }

    private Map<String, Value> variables(ModuleInstance root) {
        Map<String, Value> variables = new LinkedHashMap<>();
        root.variableBlocks().forEach((name, block) -> {
            variables.put(name, context.guard(() -> root.variable(name, block.headerSpan()), ErrorValue.INSTANCE));
            description(root, "var." + name, block);
        });
        return variables;
    }

    /** Zones of the module and, depth first, of the modules it calls; their outputs are checked too. */
    /**
     * A description is never used to compute anything, so nothing else would look at it: it is
     * computed here so that a mistake in it ({@code description = 1 / 0}) is still reported.
     */
    private void description(ModuleInstance module, String key, io.fleetform.dsl.ast.Block block) {
        for (io.fleetform.dsl.ast.BodyItem item : block.items()) {
            if (item instanceof io.fleetform.dsl.ast.Attribute a && a.name().name().equals("description")) {
                Value value = context.compute(module.prefix() + key + ".description", "description", a.value(),
                        module.scope());
                Coerce.string(context, new Located("description", value, a.value().span()), "description");
            }
        }
    }

    /** Instances counted so far, for the cap. */
    private long instances;

    private void collectZones(ModuleInstance module, ZoneBuilder builder, List<Zone> zones) {
        if (threads > 1 && module.zones().size() >= PARALLEL_ZONES && context.diagnostics().size() == quiet) {
            // Only templates extend others, and theirs are resolved already (see build and collectModules):
            // this computes nothing, but leaves no lazy state for two threads to set at once.
            module.allDeclared().forEach(DeclaredEntity::layers);
            buildInParallel(new ArrayList<>(module.zones().values()), builder, zones);
        } else {
            buildInOrder(module, builder, zones);
        }
        collectModules(module, builder, zones);
    }

    private void buildInOrder(ModuleInstance module, ZoneBuilder builder, List<Zone> zones) {
        for (ZoneEntity entity : module.zones().values()) {
            Zone zone = builder.zone(entity);
            zones.add(zone);
            entity.release();
            countInstances(zone, entity);
        }
    }

    private void countInstances(Zone zone, ZoneEntity entity) {
        long before = instances;
        instances += zone.services().stream().mapToLong(s -> s.replicas()).sum();
        if (before <= EvalContext.MAX_INSTANCES && instances > EvalContext.MAX_INSTANCES) {
            context.diagnostics().error("too-many-instances", entity.group().block().headerSpan(),
                    "the fleet has more than " + EvalContext.MAX_INSTANCES + " instances", "split it into several fleets");
        }
    }

    /**
     * Builds the zones on {@link #threads} threads, each taking the next chunk of zones, each zone
     * on one thread (its own state stays there; see {@link EvalContext#confined}). Any diagnostic, or
     * state a thread must not touch, abandons the attempt ({@link EvalContext.NotParallel}): the
     * caller then evaluates the fleet again, sequentially, which reports exactly as always.
     */
    private void buildInParallel(List<ZoneEntity> entities, ZoneBuilder builder, List<Zone> zones) {
        builtInParallel = true;
        Zone[] built = new Zone[entities.size()];
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable work = () -> {
            ZoneBuilder own = builder.fork();
            try {
                for (int start = next.getAndAdd(CHUNK); start < built.length && !failed.get();
                     start = next.getAndAdd(CHUNK)) {
                    if (context.diagnostics().size() != quiet) {
                        throw new EvalContext.NotParallel(); // reported by the sequential run instead
                    }
                    for (int i = start; i < Math.min(start + CHUNK, built.length); i++) {
                        ZoneEntity entity = entities.get(i);
                        context.building(entity);
                        built[i] = own.zone(entity);
                        entity.release();
                    }
                }
            } catch (Throwable abandoned) {
                // NotParallel, or anything else: the sequential run meets (and reports) the same.
                failed.set(true);
            } finally {
                context.building(null);
            }
        };
        context.parallel(true);
        List<Thread> helpers = new ArrayList<>();
        try {
            for (int t = 1; t < threads; t++) {
                Thread helper = new Thread(work, "fleetform-zones-" + t);
                helper.setDaemon(true);
                helper.start();
                helpers.add(helper);
            }
            work.run();
            for (Thread helper : helpers) {
                helper.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed.set(true);
        } finally {
            context.parallel(false);
        }
        if (failed.get()) {
            throw new EvalContext.NotParallel();
        }
        for (int i = 0; i < built.length; i++) {
            zones.add(built[i]);
            countInstances(built[i], entities.get(i));
        }
    }

    private void collectModules(ModuleInstance module, ZoneBuilder builder, List<Zone> zones) {
        for (ModuleEntity call : module.moduleCalls().values()) {
            call.instance().ifPresent(child -> {
                child.variableBlocks().forEach((name, block) -> {
                    context.guard(() -> child.variable(name, block.headerSpan()), null);
                    description(child, "var." + name, block);
                });
                child.locals().keySet().forEach(name -> context.guard(() -> child.local(name, SourceSpan.NONE), null));
                child.declared("template").forEach(t -> t.layers());
                collectZones(child, builder, zones);
                child.declared("output").forEach(o -> o.located("value"));
            });
        }
    }

    private Registry registry(DeclaredEntity e) {
        Layer layer = e.own();
        String url = requiredString(e, "url", "url = \"registry.example.internal\"");
        Optional<Secret> auth = !set(layer, "auth") ? Optional.empty()
                : Optional.ofNullable(Coerce.secret(context, located(layer, "auth"), "auth"));
        Optional<String> mirrorOf = Optional.empty();
        if (set(layer, "mirror_of")) {
            Entity of = Coerce.reference(context, located(layer, "mirror_of"), "registry", "mirror_of");
            if (of != null && of.name().equals(e.name())) {
                context.diagnostics().error("self-mirror", located(layer, "mirror_of").span(), "registry " + e.name()
                        + " cannot mirror itself", "");
            } else if (of != null) {
                mirrorOf = Optional.of(of.name());
            }
        }
        Optional<String> username = !set(layer, "username") ? Optional.empty()
                : Optional.ofNullable(Coerce.string(context, located(layer, "username"), "username"));
        boolean insecure = bool(layer, "insecure", false);
        return new Registry(e.name(), url == null ? "" : url, username, auth, mirrorOf, insecure,
                e.block().headerSpan());
    }

    private Image image(DeclaredEntity e, Map<String, Registry> registries) {
        Layer layer = e.own();
        String registry = null;
        if (set(layer, "from")) {
            Entity from = Coerce.reference(context, located(layer, "from"), "registry", "from");
            registry = from == null ? null : from.name();
        }
        String repository = requiredString(e, "name", "name = \"mt2/gamesvr\"");
        Optional<String> tag = optionalString(layer, "tag");
        Optional<String> digest = optionalString(layer, "digest");
        if (digest.isPresent() && !digest.get().matches("sha256:[0-9a-f]{64}")) {
            context.diagnostics().error("invalid-digest", located(layer, "digest").span(), "\"" + digest.get()
                    + "\" is not an image digest", "digests look like sha256: followed by 64 hex digits");
        }
        if (tag.isEmpty() && digest.isEmpty() && !set(layer, "tag") && !set(layer, "digest")) {
            missing(e, "tag", "tag = \"1.4.2\" (resolved to a digest at plan time) or digest = \"sha256:...\"");
        }
        List<String> replicateTo = new ArrayList<>();
        if (set(layer, "replicate_to")) {
            List<Located> targets = Coerce.list(context, located(layer, "replicate_to"), "replicate_to");
            for (Located target : targets == null ? List.<Located>of() : targets) {
                Entity mirror = Coerce.reference(context, target, "registry", "replicate_to");
                if (mirror == null) {
                    continue;
                }
                Registry r = registries.get(mirror.name());
                if (registry == null) {
                    context.diagnostics().error("not-a-mirror", target.span(), "image " + e.name()
                            + " has no registry to replicate from", "set from = registry.NAME");
                } else if (r != null && !r.mirrorOf().equals(Optional.of(registry))) {
                    context.diagnostics().error("not-a-mirror", target.span(), "registry " + mirror.name()
                            + " is not a mirror of " + registry, "declare it with mirror_of = registry." + registry);
                }
                replicateTo.add(mirror.name());
            }
        }
        boolean prepull = bool(layer, "prepull", false);
        return new Image(e.name(), Optional.ofNullable(registry), repository == null ? "" : repository, tag, digest,
                replicateTo, prepull, e.block().headerSpan());
    }

    private Cluster cluster(DeclaredEntity e, String fleetName) {
        Layer layer = e.own();
        String kubeContext = requiredString(e, "context", "context = \"sh-prod\"");
        String namespace = optionalString(layer, "namespace").orElse(fleetName);
        if (!namespace.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
            context.diagnostics().error("invalid-namespace", !set(layer, "namespace") ? e.block().headerSpan()
                    : located(layer, "namespace").span(), "\"" + namespace + "\" is not a valid Kubernetes namespace",
                    "lower-case letters, digits and '-', at most 63");
        }
        Optional<String> kubeconfig = optionalString(layer, "kubeconfig");
        String provider = optionalString(layer, "provider").orElse(Cluster.DEFAULT_PROVIDER);
        return new Cluster(e.name(), kubeContext == null ? "" : kubeContext, namespace, kubeconfig, provider,
                e.block().headerSpan());
    }

    private HostPool hostPool(DeclaredEntity e) {
        Layer layer = e.own();
        boolean local = bool(layer, "local", false);
        List<String> agents = new ArrayList<>();
        if (set(layer, "agents")) {
            Located value = located(layer, "agents");
            // agents' addresses are in plans and state: file("hosts/sz.txt"), never a secret
            boolean secret = Coerce.refusedSensitive(context, value, "agents");
            Value plain = value.value().unwrap();
            if (secret) {
                agents.add("(sensitive)"); // not "no agents" as well
            } else if (plain instanceof StringValue text) {
                for (String line : text.value().split("\n")) {
                    String agent = line.replaceAll("#.*", "").strip();
                    if (!agent.isEmpty()) {
                        agents.add(agent);
                    }
                }
            } else {
                List<Located> items = Coerce.list(context, value, "agents");
                for (Located item : items == null ? List.<Located>of() : items) {
                    String agent = Coerce.string(context, item, "agent");
                    if (agent != null) {
                        agents.add(agent);
                    }
                }
            }
            for (String agent : secret ? List.<String>of() : agents) {
                if (!agent.matches("(https?://)?[A-Za-z0-9.\\-\\[\\]:]+:[0-9]{1,5}")) {
                    context.diagnostics().error("invalid-agent", value.span(), "agent \"" + agent
                            + "\" is not host:port or https://host:port", "e.g. https://10.20.0.11:7443");
                }
            }
        }
        if (!local && agents.isEmpty()) {
            context.diagnostics().error("empty-pool", e.block().headerSpan(), "hosts \"" + e.name()
                    + "\" has no agents", "list agents = [\"host:port\", ...], or set local = true for this machine");
        }
        Optional<Secret> token = !set(layer, "token") ? Optional.empty()
                : Optional.ofNullable(Coerce.secret(context, located(layer, "token"), "token"));
        String provider = optionalString(layer, "provider").orElse(HostPool.DEFAULT_PROVIDER);
        Map<String, List<String>> modules = new LinkedHashMap<>();
        if (set(layer, "modules")) {
            Map<String, Located> byModule = Coerce.map(context, located(layer, "modules"), "modules");
            for (Map.Entry<String, Located> m : (byModule == null ? Map.<String, Located>of() : byModule).entrySet()) {
                List<String> members = new ArrayList<>();
                List<Located> items = Coerce.list(context, m.getValue(), "module " + m.getKey());
                for (Located item : items == null ? List.<Located>of() : items) {
                    String agent = Coerce.string(context, item, "agent");
                    if (agent != null && !agents.contains(agent)) {
                        context.diagnostics().error("unknown-agent", item.span(), "module " + m.getKey()
                                + " lists agent \"" + agent + "\", which is not one of the pool's agents",
                                Suggest.didYouMean(agent, agents));
                    } else if (agent != null) {
                        members.add(agent);
                    }
                }
                modules.put(m.getKey(), members);
            }
        }
        Optional<String> caFile = optionalString(layer, "ca_file"); // relative to the fleet folder
        Optional<String> underlay = optionalString(layer, "underlay_interface");
        if (underlay.isPresent() && !underlay.get().matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}")) {
            context.diagnostics().error("invalid-interface", located(layer, "underlay_interface").span(), "\""
                    + underlay.get() + "\" is not a network interface name", "the host interface on the IDC's "
                    + "network, at most 15 characters, e.g. underlay_interface = \"bond0\"");
            underlay = Optional.empty();
        }
        return new HostPool(e.name(), agents, token, local, provider, modules, e.block().headerSpan(), caFile,
                optionalString(layer, "pin"), bool(layer, "insecure", false), underlay);
    }

    private Idc idc(DeclaredEntity e, Map<String, HostPool> pools) {
        Layer layer = e.own();
        String region = requiredString(e, "region", "region = \"shanghai\"");
        TargetRef target = null;
        if (!set(layer, "target")) {
            missing(e, "target", "target = cluster.NAME or hosts.NAME");
        } else {
            Located value = located(layer, "target");
            if (value.value() instanceof io.fleetform.engine.value.RefValue ref
                    && (ref.entity().kind().equals("cluster") || ref.entity().kind().equals("hosts"))) {
                target = new TargetRef(ref.entity().kind().equals("cluster") ? TargetRef.Kind.CLUSTER
                        : TargetRef.Kind.HOSTS, ref.entity().name());
            } else if (!(value.value() instanceof ErrorValue)) {
                Coerce.mismatch(context, value, value.value(), "target", "a cluster.NAME or hosts.NAME reference");
            }
        }
        List<String> modules = new ArrayList<>();
        if (set(layer, "modules")) {
            List<Located> items = Coerce.list(context, located(layer, "modules"), "modules");
            for (Located item : items == null ? List.<Located>of() : items) {
                String module = Coerce.string(context, item, "module");
                if (module != null) {
                    modules.add(module);
                }
            }
        }
        Optional<String> ipPool = optionalString(layer, "ip_pool");
        if (ipPool.isPresent() && !Cidr.isValid(ipPool.get())) {
            context.diagnostics().error("invalid-cidr", located(layer, "ip_pool").span(), "\"" + ipPool.get()
                    + "\" is not an IPv4 network", "write it like \"10.20.0.0/22\"");
        }
        if (target != null && target.kind() == TargetRef.Kind.HOSTS && ipPool.isEmpty()) {
            context.diagnostics().error("missing-attribute", e.block().headerSpan(), "idc \"" + e.name()
                    + "\" runs on hosts." + target.name() + " and needs an ip_pool",
                    "instances on hosts get fixed IPs from it: ip_pool = \"10.20.0.0/22\"");
        }
        List<Idc.Route> routes = routes(layer, ipPool.filter(Cidr::isValid));
        Optional<String> mirror = Optional.empty();
        if (set(layer, "mirror")) {
            Entity m = Coerce.reference(context, located(layer, "mirror"), "registry", "mirror");
            if (m != null) {
                mirror = Optional.of(m.name());
            }
        }
        if (region == null || target == null) {
            return null;
        }
        return new Idc(e.name(), region, target, modules, ipPool, mirror, e.block().headerSpan(), routes);
    }

    /** {@code routes = ["10.0.0.0/8 via 10.20.0.254"]}: each an IPv4 network through a router of the ip_pool. */
    private List<Idc.Route> routes(Layer layer, Optional<String> ipPool) {
        List<Idc.Route> routes = new ArrayList<>();
        if (!set(layer, "routes")) {
            return routes;
        }
        Located at = located(layer, "routes");
        List<Located> items = Coerce.list(context, at, "routes");
        for (Located item : items == null ? List.<Located>of() : items) {
            String route = Coerce.string(context, item, "route");
            if (route == null) {
                continue;
            }
            String[] parts = route.trim().split("\\s+");
            if (parts.length != 3 || !parts[1].equals("via") || !Cidr.isValid(parts[0])
                    || Cidr.parseAddress(parts[2]) < 0) {
                context.diagnostics().error("invalid-route", item.span(), "\"" + route + "\" is not a route",
                        "write it as \"<IPv4 network> via <router>\", e.g. \"10.0.0.0/8 via 10.20.0.254\"");
            } else if (ipPool.isEmpty()) {
                context.diagnostics().error("invalid-route", item.span(), "route \"" + route + "\" needs the"
                        + " idc's ip_pool: its router must be on that network", "set ip_pool = \"10.20.0.0/22\"");
            } else if (!Cidr.contains(ipPool.get(), parts[2])) {
                context.diagnostics().error("invalid-route", item.span(), "the router " + parts[2] + " of route \""
                        + route + "\" is not in the idc's ip_pool " + ipPool.get(),
                        "instances reach only routers on their own network: use an address of " + ipPool.get());
            } else {
                routes.add(new Idc.Route(parts[0], parts[2]));
            }
        }
        return routes;
    }

    private Rollout rollout(DeclaredEntity e) {
        List<Stage> stages = new ArrayList<>();
        Map<String, SourceSpan> zonesSeen = new HashMap<>();
        int index = 0;
        for (Block block : e.own().repeated("stage")) {
            String name = block.label().map(l -> l.value()).orElse("");
            Layer layer = new Layer(e.address() + ".stage." + name, block, e.own().scope());
            List<String> zones = references(layer, "zones", "zone", true);
            Optional<Stage.Partition> partition = partition(layer);
            for (String zone : zones) {
                if (set(layer, "partition")) {
                    continue; // a partial stage leaves its zones to a later one
                }
                SourceSpan first = zonesSeen.putIfAbsent(zone, located(layer, "zones").span());
                if (first != null) {
                    context.diagnostics().error("zone-in-two-stages", located(layer, "zones").span(), "zone " + zone
                            + " is already in an earlier stage", "each zone is rolled out by one stage");
                }
            }
            List<String> idcs = new ArrayList<>(references(layer, "idcs", "idc", true));
            idcs.addAll(references(layer, "idc", "idc", false));
            Long percent = !set(layer, "percent") ? null
                    : Coerce.integer(context, located(layer, "percent"), "percent", 1, 100);
            Long maxParallel = !set(layer, "max_parallel") ? null
                    : Coerce.integer(context, located(layer, "max_parallel"), "max_parallel", 1, 100_000);
            Optional<Duration> wait = Optional.empty();
            if (set(layer, "wait")) {
                Long ms = Coerce.wholeBase(context, located(layer, "wait"), Dimension.DURATION, "wait");
                wait = ms == null ? Optional.empty() : Optional.of(Duration.ofMillis(ms));
            }
            Duration healthyFor = Stage.DEFAULT_HEALTHY_FOR;
            if (set(layer, "healthy_for")) {
                Long ms = Coerce.wholeBase(context, located(layer, "healthy_for"), Dimension.DURATION, "healthy_for");
                healthyFor = ms == null ? healthyFor : Duration.ofMillis(ms);
            }
            Stage.Gate gate = !set(layer, "gate") ? Stage.Gate.HEALTHY
                    : orElse(Coerce.enumeration(context, located(layer, "gate"), GATES, "gate"), Stage.Gate.HEALTHY);
            Boolean manual = !set(layer, "approval") ? Boolean.FALSE
                    : Coerce.enumeration(context, located(layer, "approval"), APPROVALS, "approval");
            Optional<MetricGate> metric = metricGate(layer, e.own().scope());
            stages.add(new Stage(name, zones, idcs, Optional.ofNullable(percent).map(Long::intValue),
                    maxParallel == null ? 1 : maxParallel.intValue(), wait, gate, Boolean.TRUE.equals(manual),
                    healthyFor, metric, partition, block.headerSpan()));
            index++;
        }
        if (index == 0) {
            context.diagnostics().error("empty-rollout", e.block().headerSpan(), "rollout \"" + e.name()
                    + "\" has no stages", "add stage \"all\" { max_parallel = 10 }");
        }
        return new Rollout(e.name(), stages, e.block().headerSpan());
    }

    /** {@code partition = 2} (instances of each service per zone) or {@code partition = "10%"}. */
    private Optional<Stage.Partition> partition(Layer layer) {
        if (!set(layer, "partition")) {
            return Optional.empty();
        }
        Located value = located(layer, "partition");
        if (Coerce.refusedSensitive(context, value, "partition")) {
            return Optional.empty();
        }
        if (value.value().unwrap() instanceof io.fleetform.engine.value.StringValue text) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,3})%").matcher(text.value().strip());
            int percent = m.matches() ? Integer.parseInt(m.group(1)) : -1;
            if (percent < 1 || percent > 99) {
                context.diagnostics().error("invalid-partition", value.span(), "partition is a count of instances or "
                        + "a percentage from 1% to 99%, found \"" + text.value() + "\"", "e.g. partition = 1 or "
                        + "partition = \"10%\"");
                return Optional.empty();
            }
            return Optional.of(new Stage.Partition(0, percent));
        }
        Long count = Coerce.integer(context, value, "partition", 1, 100_000);
        return count == null ? Optional.empty() : Optional.of(new Stage.Partition(count.intValue(), 0));
    }

    /** {@code gate { prometheus = ...  query = ...  max = 0.01  for = 2m  every = 15s }} in a stage. */
    private Optional<MetricGate> metricGate(Layer stage, Scope scope) {
        Block block = stage.nested("gate");
        if (block == null) {
            return Optional.empty();
        }
        Layer layer = new Layer(stage.owner() + ".gate", block, scope);
        String url = set(layer, "prometheus") ? Coerce.string(context, located(layer, "prometheus"), "prometheus") : null;
        String query = set(layer, "query") ? Coerce.string(context, located(layer, "query"), "query") : null;
        if (url == null || query == null) {
            context.diagnostics().error("incomplete-gate", block.headerSpan(), "a metric gate needs prometheus and "
                    + "query", "gate { prometheus = \"http://prometheus:9090\"  query = \"...\"  max = 0.01 }");
            return Optional.empty();
        }
        Double max = set(layer, "max") ? Coerce.number(context, located(layer, "max"), "max") : null;
        Double min = set(layer, "min") ? Coerce.number(context, located(layer, "min"), "min") : null;
        if (max == null && min == null) {
            context.diagnostics().error("incomplete-gate", block.headerSpan(), "a metric gate needs max or min "
                    + "(the threshold the measured value must stay within)", "max = 0.01");
        }
        Duration duration = Duration.ofMinutes(2);
        if (set(layer, "for")) {
            Long ms = Coerce.wholeBase(context, located(layer, "for"), Dimension.DURATION, "for");
            duration = ms == null ? duration : Duration.ofMillis(ms);
        }
        Duration every = Duration.ofSeconds(15);
        if (set(layer, "every")) {
            Long ms = Coerce.wholeBase(context, located(layer, "every"), Dimension.DURATION, "every");
            every = ms == null || ms <= 0 ? every : Duration.ofMillis(ms);
        }
        return Optional.of(new MetricGate(url, query, Optional.ofNullable(max), Optional.ofNullable(min), duration,
                every, block.headerSpan()));
    }

    private List<String> references(Layer layer, String attribute, String kind, boolean list) {
        if (!set(layer, attribute)) {
            return List.of();
        }
        Located value = located(layer, attribute);
        List<Located> items = list ? Coerce.list(context, value, attribute) : List.of(value);
        List<String> names = new ArrayList<>();
        for (Located item : items == null ? List.<Located>of() : items) {
            Entity entity = Coerce.reference(context, item, kind, attribute);
            if (entity != null) {
                names.add(entity.name());
            }
        }
        return names;
    }

    /**
     * How deep an output's lists and maps may nest (as deep as a function's result may). A value
     * built step by step through locals has no syntax to limit; printed, or written into the state
     * (whose JSON reader stops at 1,000 levels), a deeper one would end the run as a crash.
     */
    static final int MAX_OUTPUT_NESTING = 64;

    /** Whether {@code value} nests more than {@code limit} lists and maps; recurses at most {@code limit} deep. */
    private static boolean deeperThan(Value value, int limit) {
        Value plain = value.unwrap();
        java.util.Collection<Value> children = plain instanceof io.fleetform.engine.value.ListValue l ? l.elements()
                : plain instanceof io.fleetform.engine.value.MapValue m ? m.entries().values() : List.of();
        if (children.isEmpty()) {
            return false;
        }
        if (limit == 0) {
            return true;
        }
        for (Value child : children) {
            if (deeperThan(child, limit - 1)) {
                return true;
            }
        }
        return false;
    }

    private List<Output> outputs(ModuleInstance root) {
        List<Output> outputs = new ArrayList<>();
        for (DeclaredEntity e : root.declared("output")) {
            Layer layer = e.own();
            if (!set(layer, "value")) {
                missing(e, "value", "value = ...");
                continue;
            }
            Value value = layer.value("value", context);
            if (deeperThan(value, MAX_OUTPUT_NESTING)) {
                context.diagnostics().error("too-deep", layer.attribute("value").value().span(), "output \""
                        + e.name() + "\" is nested more than " + MAX_OUTPUT_NESTING + " levels deep",
                        "outputs are shown, saved in the state and read back: flatten it");
                continue;
            }
            boolean sensitive = bool(layer, "sensitive", false);
            // [secret("t")] or { token = secret("t") } shows a secret as surely as secret("t") does
            boolean holdsSecret = SensitiveValue.holds(value);
            if (holdsSecret && !sensitive) {
                context.diagnostics().error("sensitive-output", layer.attribute("value").value().span(), "output \""
                        + e.name() + "\" shows a secret", "mark it sensitive = true; it is then masked in every output");
            }
            String description = optionalString(layer, "description").orElse("");
            outputs.add(new Output(e.name(), value, sensitive || holdsSecret, description,
                    e.block().headerSpan()));
        }
        return outputs;
    }

    /** {@code moved { from = zone.s1  to = zone.a1 }}: addresses written as references, never evaluated. */
    private Moved moved(Block block) {
        String from = null;
        String to = null;
        for (BodyItem item : block.items()) {
            if (item instanceof Attribute a) {
                String address = address(a.value());
                if (address == null) {
                    context.diagnostics().error("invalid-address", a.value().span(), a.name().name()
                            + " must be an address such as zone.s1", "");
                } else if (a.name().name().equals("from")) {
                    from = address;
                } else {
                    to = address;
                }
            }
        }
        if (from == null || to == null) {
            if (from == null && to == null) {
                context.diagnostics().error("missing-attribute", block.headerSpan(), "moved needs from and to", "");
            }
            return null;
        }
        return new Moved(from, to, block.span());
    }

    static String address(Expression e) {
        if (e instanceof Variable v) {
            return v.name();
        }
        if (e instanceof GetAttr g) {
            String target = address(g.target());
            return target == null ? null : target + "." + g.name().name();
        }
        if (e instanceof IndexExpr i && i.index() instanceof io.fleetform.dsl.ast.NumberLiteral n) {
            String target = address(i.target());
            return target == null ? null : target + "[" + n.text() + "]";
        }
        return null;
    }

    // ---- small readers ----

    /** Set, and not to null: null means "not set" everywhere. */
    private boolean set(Layer layer, String attribute) {
        return layer.attribute(attribute) != null
                && !(layer.value(attribute, context) instanceof io.fleetform.engine.value.NullValue);
    }

    private Located located(Layer layer, String attribute) {
        return new Located(attribute, layer.value(attribute, context), layer.attribute(attribute).value().span());
    }

    private String requiredString(DeclaredEntity e, String attribute, String example) {
        if (!set(e.own(), attribute)) {
            missing(e, attribute, example);
            return null;
        }
        String value = Coerce.string(context, located(e.own(), attribute), attribute);
        if (value != null && value.isBlank()) {
            context.diagnostics().error("empty-value", located(e.own(), attribute).span(), e.kind() + " \"" + e.name()
                    + "\" has an empty " + attribute, "set " + example);
            return null;
        }
        return value;
    }

    private void missing(DeclaredEntity e, String attribute, String example) {
        context.diagnostics().error("missing-attribute", e.block().headerSpan(), e.kind() + " \"" + e.name()
                + "\" has no " + attribute, "set " + example);
    }

    private String string(Layer layer, String attribute, String fallback) {
        return optionalString(layer, attribute).orElse(fallback);
    }

    private Optional<String> optionalString(Layer layer, String attribute) {
        if (!set(layer, attribute)) {
            return Optional.empty();
        }
        return Optional.ofNullable(Coerce.string(context, located(layer, attribute), attribute));
    }

    private boolean bool(Layer layer, String attribute, boolean fallback) {
        if (!set(layer, attribute)) {
            return fallback;
        }
        Boolean value = Coerce.bool(context, located(layer, attribute), attribute);
        return value == null ? fallback : value;
    }

    private static <T> T orElse(T value, T fallback) {
        return value == null ? fallback : value;
    }

    private static <K, V> Map<K, V> orEmpty(Map<K, V> map) {
        return map == null ? Map.of() : map;
    }
}
