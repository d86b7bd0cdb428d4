package io.fleetform.provider.kubernetes;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.provider.ApplyRequest;
import io.fleetform.engine.provider.ApplyResponse;
import io.fleetform.engine.provider.CheckRequest;
import io.fleetform.engine.provider.CheckResponse;
import io.fleetform.engine.provider.DiffRequest;
import io.fleetform.engine.provider.DiffResponse;
import io.fleetform.engine.provider.HealthRequest;
import io.fleetform.engine.provider.HealthResponse;
import io.fleetform.engine.provider.ExpandRequest;
import io.fleetform.engine.provider.ExpandResponse;
import io.fleetform.engine.provider.ImportRequest;
import io.fleetform.engine.provider.ImportResponse;
import io.fleetform.engine.provider.Provider;
import io.fleetform.engine.provider.ProviderContext;
import io.fleetform.engine.provider.ProviderException;
import io.fleetform.engine.provider.ProviderSession;
import io.fleetform.engine.provider.SessionRequest;
import io.fleetform.engine.provider.ReadRequest;
import io.fleetform.engine.provider.ReadResponse;
import io.fleetform.engine.provider.RetryPolicy;
import io.fleetform.engine.provider.RenameRequest;
import io.fleetform.engine.provider.RenameResponse;
import io.fleetform.engine.resource.Resource;
import io.fleetform.engine.resource.ResourceLifecycle;
import io.fleetform.engine.state.ResourceState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Kubernetes targets ({@code cluster} blocks): every zone service becomes a workload
 * (StatefulSet by default), a headless Service, and a ConfigMap, Secret and
 * NetworkAttachmentDefinition when it needs them, in one namespace per cluster block. One
 * Fleetform resource per Kubernetes object, at {@code k8s.CLUSTER.TYPE.NAMESPACE/NAME}, whose
 * attributes are the manifest's fields by path. Objects are written with server-side apply as
 * field manager {@code fleetform}, forcing only a planned take-over ({@code --force-conflicts}):
 * fields other managers own stay theirs. Only objects carrying the fleet's identity are read,
 * changed or deleted ({@link Ownership}); plans are checked against the cluster ({@link PlanChecks}).
 */
public final class KubernetesProvider implements Provider, ProviderSession {
    public static final String NAME = "kubernetes";
    static final String CONTEXT = "context";
    static final String KUBECONFIG = "kubeconfig";

    private final Map<String, KubeApi> apis = new ConcurrentHashMap<>();
    /** The rollout waits' watches, one per cluster, workload kind, namespace and fleet (see {@link RolloutWatch}). */
    private final Map<String, RolloutWatch> watches = new ConcurrentHashMap<>();
    private final RetryPolicy retry;
    /** The last expansion, by address: what import compares a live object with. */
    private final Map<ResourceAddress, Resource> lastExpansion = new ConcurrentHashMap<>();
    /** The connection attributes of each cluster block of the last expansion, by cluster name. */
    private final Map<String, Map<String, Object>> lastClusters = new ConcurrentHashMap<>();

    @Override
    public String name() {
        return NAME;
    }

    public KubernetesProvider() {
        this(RetryPolicy.defaults());
    }

    /** @param retry how every API call is retried (see {@link KubeApi}) */
    public KubernetesProvider(RetryPolicy retry) {
        this.retry = retry;
    }

    /** A session is a fresh instance: its API connections (one per cluster) are closed with it. */
    @Override
    public ProviderSession open(SessionRequest request) {
        KubernetesProvider session = new KubernetesProvider(retry);
        session.recorded = request.recorded().stream().filter(r -> r.provider().equals(NAME)).toList();
        session.lineage = request.identity().lineage();
        session.fleetLabel = request.fleet().map(f -> Manifests.label(f.name()))
                .orElse(Manifests.label(request.identity().fleet()));
        session.identity = request.identity().lineage().isEmpty() ? "" : request.identity().id();
        return session;
    }

    /** This fleet's identity ({@value Manifests#OWNER_ANNOTATION}), "" when no state is at hand. */
    private String identity = "";

    /** This fleet's {@value Manifests#FLEET_LABEL} value. */
    private String fleetLabel = "";
    /** The state's lineage: the key of the pod templates' secret revisions (see SecretRevision). */
    private String lineage = "";

    /**
     * What this fleet made and lost track of, where nothing else finds it: the SR-IOV operator's objects in
     * the operator's namespace (see {@link OperatorLeftovers}), on the clusters of the fleet and of the state.
     */
    @Override
    public io.fleetform.engine.provider.LeftoversResponse leftovers(io.fleetform.engine.provider.LeftoversRequest
                                                                            request) throws ProviderException {
        if (fleetLabel.isEmpty()) {
            return io.fleetform.engine.provider.LeftoversResponse.NONE;
        }
        Map<String, Map<String, Object>> clusters = new TreeMap<>(lastClusters);
        for (ResourceState r : request.recorded()) {
            String[] parts = r.address().value().split("\\.", 3);
            if (parts.length == 3 && !clusters.containsKey(parts[1])) {
                Map<String, Object> connection = new TreeMap<>();
                connection.put(CONTEXT, r.attributes().getOrDefault(CONTEXT, ""));
                if (r.attributes().get(KUBECONFIG) != null) {
                    connection.put(KUBECONFIG, r.attributes().get(KUBECONFIG));
                }
                clusters.put(parts[1], connection);
            }
        }
        return new io.fleetform.engine.provider.LeftoversResponse(OperatorLeftovers.find(this, new Ownership.Owner(fleetLabel, identity), clusters,
                request));
    }

    /** What the state recorded when the session opened: the names renamed objects keep. */
    private List<ResourceState> recorded = List.of();

    /** The SriovNetworks ({@code namespace/name}) this session deleted: gone from the cluster, still the fleet's. */
    private final Set<String> deletedSriovNetworks = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * Whether a SriovNetwork ({@code namespace/name}) is this fleet's: the state records it, this session deleted
     * it (a destroy takes it before the namespace), or it carries the fleet's identity. What the operator makes for
     * it in the fleet's namespace is then the fleet's too.
     */
    java.util.function.Predicate<String> ourSriovNetwork(KubeApi api, Ownership.Owner fleet) {
        return namespaced -> {
            if (deletedSriovNetworks.contains(namespaced) || recorded.stream().anyMatch(r -> r.type().equals(
                    Kind.SRIOV_NETWORK.type()) && namespaced.equals(r.attributes().get("metadata.namespace") + "/"
                    + r.attributes().get("metadata.name")))) {
                return true;
            }
            int slash = namespaced.indexOf('/');
            if (slash < 0) {
                return false;
            }
            try {
                KubeApi.Response live = api.get(Kind.SRIOV_NETWORK.path(namespaced.substring(0, slash),
                        namespaced.substring(slash + 1)));
                return live.ok() && Ownership.ours(live.body(), fleet);
            } catch (KubeApi.Unreachable e) {
                return false; // cannot tell: counted as not the fleet's, so the namespace stays
            }
        };
    }

    static String address(String cluster, Kind kind, String namespace, String name) {
        return "k8s." + cluster + "." + kind.word + "." + (kind.namespaced ? namespace + "/" + name : name);
    }

    // ------------------------------------------------------------------ expand

    @Override
    public ExpandResponse expand(ExpandRequest request) {
        Settings settings = Settings.from(request.context().environment());
        List<io.fleetform.dsl.diag.Diagnostic> diagnostics = new ArrayList<>();
        Set<String> sriovOperator = sriovOperatorClusters(request, settings, diagnostics);
        Manifests.Result result = Manifests.render(request.fleet(), request.targets(), request.imageDigests(),
                settings, Renaming.kept(recorded, request.fleet().moved()), sriovOperator,
                lineage.isEmpty() ? null : SecretRevision.key(lineage), identity.isEmpty() ? null : identity);
        diagnostics.addAll(result.diagnostics());
        List<Resource> resources = new ArrayList<>();
        for (Manifests.Rendered r : result.objects()) {
            Resource resource = resource(r, result.zoneOf(r));
            resources.add(resource);
            lastExpansion.put(resource.address(), resource);
            Map<String, Object> connection = new TreeMap<>();
            connection.put(CONTEXT, resource.attributes().get(CONTEXT));
            if (resource.attributes().containsKey(KUBECONFIG)) {
                connection.put(KUBECONFIG, resource.attributes().get(KUBECONFIG));
            }
            lastClusters.put(r.cluster().name(), connection);
        }
        // Each problem here is one of what the clusters would be given (a manifest, SR-IOV objects by discovery); a
        // destroy deletes from the state and goes on past them. Ownership is the live checks' (PlanChecks).
        List<io.fleetform.engine.provider.ChangeOnly> changeOnly = diagnostics.stream()
                .map(d -> new io.fleetform.engine.provider.ChangeOnly(d, Set.of())).toList();
        return new ExpandResponse(resources, diagnostics, changeOnly);
    }

    /**
     * The target clusters with SR-IOV services that run the SR-IOV Network Operator, by discovery: they serve
     * its SriovNetwork and SriovNetworkNodePolicy kinds. Asked at plan time, so the plan shows (and a saved plan
     * applies) the objects that cluster takes.
     */
    private Set<String> sriovOperatorClusters(ExpandRequest request, Settings settings,
                                              List<io.fleetform.dsl.diag.Diagnostic> diagnostics) {
        Set<String> out = new TreeSet<>();
        var fleet = request.fleet();
        for (io.fleetform.engine.model.Cluster c : fleet.clusters()) {
            boolean sriov = request.targets().contains(c.name()) && fleet.zones().stream()
                    .filter(z -> fleet.idc(z.idc()).map(i -> i.target().kind()
                            == io.fleetform.engine.model.TargetRef.Kind.CLUSTER && i.target().name().equals(c.name()))
                            .orElse(false))
                    .flatMap(z -> z.services().stream())
                    .anyMatch(s -> s.network().mode() == io.fleetform.engine.model.NetworkMode.SRIOV);
            if (!sriov) {
                continue;
            }
            String group = "/apis/" + Kind.SRIOV_NETWORK.apiVersion;
            try {
                KubeApi api = api(kubeconfig(c.kubeconfig().orElse(null), request.context()), c.context(), settings,
                        "cluster " + c.name());
                KubeApi.Response r = api.get(group);
                if (r.ok() && r.body().get("resources") instanceof List<?> list) {
                    Set<Object> served = new java.util.HashSet<>();
                    list.forEach(x -> served.add(x instanceof Map<?, ?> m ? m.get("name") : null));
                    if (served.contains(Kind.SRIOV_NETWORK.plural) && served.contains(Kind.SRIOV_NODE_POLICY.plural)) {
                        out.add(c.name());
                        operatorNamespace(api, c, settings, diagnostics);
                    }
                } else if (r.code() != 404) {
                    diagnostics.add(io.fleetform.dsl.diag.Diagnostic.error("k8s-discovery", c.span(), "cannot tell"
                            + " whether cluster \"" + c.name() + "\" runs the SR-IOV Network Operator: GET " + group
                            + " answered HTTP " + r.code() + (r.message().isEmpty() ? "" : ": " + r.message()), ""));
                }
            } catch (ProviderException | KubeApi.Unreachable e) {
                diagnostics.add(io.fleetform.dsl.diag.Diagnostic.error("k8s-discovery", c.span(), "cannot tell"
                        + " whether cluster \"" + c.name() + "\" runs the SR-IOV Network Operator (GET " + group
                        + "): " + e.getMessage(), "check that the cluster is reachable with its kubeconfig context"));
            }
        }
        return out;
    }

    /**
     * The operator's namespace must exist: Fleetform writes its policies and networks there but never makes or
     * deletes it (the operator's installation does), so a plan into a missing one would fail at apply.
     */
    private static void operatorNamespace(KubeApi api, io.fleetform.engine.model.Cluster c, Settings settings,
                                          List<io.fleetform.dsl.diag.Diagnostic> diagnostics) throws KubeApi.Unreachable {
        String path = Kind.NAMESPACE.path(null, settings.sriovNamespace());
        KubeApi.Response r = api.get(path);
        if (r.code() == 404) {
            diagnostics.add(io.fleetform.dsl.diag.Diagnostic.error("k8s-sriov-namespace", c.span(), "cluster \""
                    + c.name() + "\" runs the SR-IOV Network Operator, but its namespace \"" + settings.sriovNamespace()
                    + "\" does not exist there: Fleetform writes the SR-IOV policies and networks into it and never"
                    + " creates it", "set FLEETFORM_K8S_SRIOV_NAMESPACE to the namespace the operator runs in"
                    + " (kubectl get sriovoperatorconfigs -A shows it)"));
        } else if (!r.ok()) {
            diagnostics.add(io.fleetform.dsl.diag.Diagnostic.error("k8s-discovery", c.span(), "cannot tell whether"
                    + " the SR-IOV Network Operator's namespace \"" + settings.sriovNamespace() + "\" exists on cluster"
                    + " \"" + c.name() + "\": GET " + path + " answered HTTP " + r.code()
                    + (r.message().isEmpty() ? "" : ": " + r.message()), ""));
        }
    }

    static Resource resource(Manifests.Rendered r) {
        return resource(r, "");
    }

    /** @param zone the zone the object belongs to, which decides its rollout stage; "" for shared objects */
    static Resource resource(Manifests.Rendered r, String zone) {
        Map<String, Object> attributes = new TreeMap<>(Flat.flatten(r.manifest()));
        attributes.put(CONTEXT, r.cluster().context() == null ? "" : r.cluster().context());
        r.cluster().kubeconfig().ifPresent(k -> attributes.put(KUBECONFIG, k));
        Set<String> sensitive = r.kind() == Kind.SECRET ? Set.of("data") : Set.of();
        List<ResourceAddress> deps = new ArrayList<>();
        r.dependsOn().forEach(d -> deps.add(new ResourceAddress(d.address())));
        r.external().forEach(d -> deps.add(new ResourceAddress(d)));
        return new Resource(new ResourceAddress(r.address()), r.kind().type(), NAME, attributes, sensitive, deps,
                new ResourceLifecycle(r.preventDestroy(), List.of(), false), zone);
    }

    // ----------------------------------------------------------------- rename

    @Override
    public Map<ResourceAddress, ResourceAddress> follows(ResourceAddress from, ResourceAddress to,
                                                         java.util.Collection<ResourceState> recorded) {
        return Renaming.follows(from, to, recorded);
    }

    /**
     * A new address ({@code moved}, {@code state mv}): Kubernetes cannot rename an object, so the same
     * object (same uid, pods untouched) gets the new address in its {@value Manifests#ADDRESS_ANNOTATION}
     * annotation, and the state keeps its name (see {@link Renaming#kept}). Nothing there: nothing to
     * do (the next plan creates it). Idempotent.
     */
    @Override
    public RenameResponse rename(RenameRequest request) throws ProviderException {
        ResourceState prior = request.prior();
        Map<String, Object> attributes = new TreeMap<>(prior.attributes());
        Map<String, Object> annotations = new TreeMap<>();
        if (attributes.get("metadata.annotations") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> annotations.put(String.valueOf(k), v));
        }
        annotations.put(Manifests.ADDRESS_ANNOTATION, request.to().value());
        attributes.put("metadata.annotations", annotations);
        Target t = target(prior.address(), prior.type(), prior.attributes(), request.context());
        KubeApi.Response live = call(t, "rename (GET " + t.path() + ")", () -> t.api.get(t.path()));
        if (live.code() == 404) {
            return new RenameResponse(attributes);
        }
        if (!live.ok()) {
            throw failure(t, "rename (GET " + t.path() + ")", live);
        }
        Ownership.Owner fleet = Ownership.Owner.of(prior.attributes());
        if (!Ownership.ours(live.body(), fleet)) {
            throw ProviderException.permanent(request.to() + ": " + t.describe() + " is not this fleet's ("
                    + Ownership.whose(live.body(), fleet) + "): Fleetform does not re-address it");
        }
        if (Ownership.addressOfLive(live.body()).filter(request.to().value()::equals).isEmpty()) {
            Map<String, Object> patch = Map.of("metadata", Map.of("annotations",
                    Map.of(Manifests.ADDRESS_ANNOTATION, request.to().value())));
            String call = "rename (PATCH " + t.path() + ": annotation " + Manifests.ADDRESS_ANNOTATION + ")";
            KubeApi.Response r = call(t, call, () -> t.api.mergePatch(t.path(), patch, Manifests.MANAGER));
            if (!r.ok()) {
                throw failure(t, call, r);
            }
        }
        return new RenameResponse(attributes);
    }

    // ------------------------------------------------------------------- diff

    /** Fields the API server refuses to change on a live object, per kind. */
    private static List<String> immutable(Kind kind) {
        return switch (kind) {
            case STATEFULSET, ADVANCED_STATEFULSET -> List.of("spec.selector", "spec.serviceName",
                    "spec.volumeClaimTemplates", "spec.podManagementPolicy");
            case DEPLOYMENT, CLONESET -> List.of("spec.selector");
            case SERVICE -> List.of("spec.clusterIP");
            case SECRET -> List.of("type");
            default -> List.of();
        };
    }

    @Override
    public DiffResponse diff(DiffRequest request) {
        Kind kind = Kind.ofType(request.desired().type()).orElse(null);
        Set<String> replace = new TreeSet<>();
        for (String name : request.changed()) {
            if (name.equals(CONTEXT) || name.equals(KUBECONFIG) || name.equals("apiVersion") || name.equals("kind")
                    || name.equals("metadata.name") || name.equals("metadata.namespace") || name.equals("(type)")) {
                replace.add(name);
            } else if (kind != null && immutable(kind).stream().anyMatch(p -> name.equals(p) || name.startsWith(p + ".")
                    || name.startsWith(p + "["))) {
                replace.add(name);
            }
        }
        String reason = replace.isEmpty() ? "" : "Kubernetes cannot change " + String.join(", ", replace)
                + " of a live " + (kind == null ? "object" : kind.kind) + ": it is deleted and created again";
        return new DiffResponse(replace, reason, Set.of(), disruption(kind, request.changed()));
    }

    /**
     * What an update does to the pods: nothing outside the pod template; a changed template
     * replaces the pods one by one (recreate), except that the Kruise kinds, rendered with
     * {@code InPlaceIfPossible}, change only images by restarting the container in the same pod.
     */
    static String disruption(Kind kind, Set<String> changed) {
        List<String> template = changed.stream().filter(n -> n.startsWith("spec.template.")
                || n.startsWith("spec.gameServerTemplate.")).toList();
        if (template.isEmpty()) {
            return DiffResponse.IN_PLACE_WORD;
        }
        boolean inPlaceKind = kind == Kind.CLONESET || kind == Kind.ADVANCED_STATEFULSET || kind == Kind.GAMESERVERSET;
        boolean imagesOnly = template.stream().allMatch(n -> n.matches(".*\\.containers\\[\\d+]\\.image"));
        return inPlaceKind && imagesOnly ? DiffResponse.RESTART : DiffResponse.RECREATE;
    }

    // ------------------------------------------------------------------- read

    @Override
    public ReadResponse read(ReadRequest request) throws ProviderException {
        ResourceState prior = request.prior();
        Target t = target(prior.address(), prior.type(), prior.attributes(), request.context());
        KubeApi.Response r = call(t, "read", () -> t.api.get(t.path()));
        if (r.code() == 404) {
            return ReadResponse.gone();
        }
        if (!r.ok()) {
            throw failure(t, "read (GET " + t.path() + ")", r);
        }
        if (!Ownership.ours(r.body(), Ownership.Owner.of(prior.attributes()))) {
            // Not this fleet's any more (deleted and made again by someone else): ours is gone.
            return ReadResponse.gone();
        }
        return ReadResponse.of(project(r.body(), prior.attributes(), prior.sensitive(), true));
    }

    /**
     * What Fleetform manages of a live object: the attributes it wrote, read back; fields the
     * server or others added (defaults, status, other managers' labels) are left out, so only
     * changes to Fleetform's fields show as drift.
     */
    static Map<String, Object> project(Map<String, Object> live, Map<String, Object> managed, Set<String> sensitive) {
        return project(live, managed, sensitive, false);
    }

    /**
     * @param withSecrets include sensitive attributes as read (a Secret's data), for the engine to
     *                    compare by hash; never for anything that is stored as it is
     */
    static Map<String, Object> project(Map<String, Object> live, Map<String, Object> managed, Set<String> sensitive,
                                       boolean withSecrets) {
        Map<String, Object> object = new LinkedHashMap<>(live);
        object.remove("status");
        Map<String, Object> flat = Flat.flatten(object);
        Map<String, Object> out = new TreeMap<>();
        for (Map.Entry<String, Object> e : managed.entrySet()) {
            String name = e.getKey();
            if (name.equals(CONTEXT) || name.equals(KUBECONFIG)) {
                out.put(name, e.getValue());
                continue;
            }
            if (!flat.containsKey(name)) {
                continue;
            }
            if (sensitive.contains(name)) {
                if (withSecrets) {
                    out.put(name, flat.get(name)); // the whole value: a key added by someone else is a change too
                }
                continue;
            }
            Object now = flat.get(name);
            if (e.getValue() instanceof Map<?, ?> want && now instanceof Map<?, ?> have) {
                Map<String, Object> kept = new TreeMap<>();
                want.keySet().forEach(k -> {
                    if (have.containsKey(k)) {
                        kept.put(String.valueOf(k), have.get(k));
                    }
                });
                now = kept;
            }
            out.put(name, now);
        }
        return out;
    }

    // ------------------------------------------------------------------ apply

    @Override
    public ApplyResponse apply(ApplyRequest request) throws ProviderException {
        Consumer<String> progress = request.progress();
        if (request.action() == Action.DELETE || request.action() == Action.REPLACE) {
            ResourceState prior = request.prior().orElseThrow();
            Target gone = target(prior.address(), prior.type(), prior.attributes(), request.context());
            List<String> warnings = delete(gone, Ownership.Owner.of(prior.attributes()), progress);
            if (gone.kind == Kind.SRIOV_NETWORK) {
                deletedSriovNetworks.add(gone.namespace() + "/" + gone.name());
            }
            if (request.action() == Action.DELETE) {
                return new ApplyResponse(Map.of(), warnings);
            }
        }
        Resource desired = request.desired().orElseThrow();
        Target t = target(desired.address(), desired.type(), desired.attributes(), request.context());
        KubeApi.Response live = call(t, "ownership check (GET " + t.path() + ")", () -> t.api.get(t.path()));
        Ownership.Owner owner = Ownership.Owner.of(desired.attributes());
        // What the plan creates must be made by this state if it is there already (adopted after a crash).
        if (live.ok() && !(request.action() == Action.CREATE ? Ownership.madeBy(live.body(), owner)
                : Ownership.ours(live.body(), owner))) {
            throw ProviderException.permanent(t.address + ": " + t.describe() + " exists and is not this fleet's ("
                    + Ownership.whose(live.body(), owner) + "): Fleetform does not change it (it appeared after the plan? "
                    + "plan again)");
        }
        Map<String, Object> attributes = desired.attributes();
        if (request.share().isPresent() && request.action() == Action.UPDATE && StagePartition.supported(t.kind)) {
            // a partial stage: only its share of the pods; recorded with the partition, so a plan
            // after an interruption still shows the rest of the change
            attributes = StagePartition.apply(t.kind, attributes, request.share().get());
        }
        Map<String, Object> applied = serverSideApply(t, manifest(attributes), request.action() == Action.TAKE_OVER);
        if (t.kind.isWorkload()) {
            waitForRollout(t, applied, Ownership.fleetOf(desired.attributes()), progress);
        }
        return new ApplyResponse(attributes, List.of());
    }

    /**
     * Kubernetes objects at five times the user's {@code --parallelism} (or {@code FLEETFORM_K8S_PARALLELISM}):
     * an apply here is one request and then, for a workload, a wait on its controller, which the watch makes
     * cost nothing; the controllers work through many rollouts at once, and the API server's 429s (with
     * Retry-After) pace the requests where it is busy.
     */
    @Override
    public int parallelism(int requested, ProviderContext context) {
        String set = context.environment().get("FLEETFORM_K8S_PARALLELISM");
        if (set != null && !set.isBlank()) {
            try {
                return Math.max(1, Integer.parseInt(set.strip()));
            } catch (NumberFormatException e) {
                // not a number: the default
            }
        }
        return requested * 5;
    }

    /** The workload kinds with a partition field: a partial rollout stage updates a share of their pods. */
    @Override
    public boolean partitionable(Resource desired) {
        return Kind.ofType(desired.type()).map(StagePartition::supported).orElse(false);
    }

    /**
     * A workload's health (rollout complete, pods ready, restarts) for a rollout gate; other kinds
     * have no servers of their own.
     */
    @Override
    public HealthResponse health(HealthRequest request) throws ProviderException {
        ResourceState r = request.resource();
        Kind kind = Kind.ofType(r.type()).orElse(null);
        if (kind == null || !kind.isWorkload()) {
            return HealthResponse.UNKNOWN;
        }
        Target t = target(r.address(), r.type(), r.attributes(), request.context());
        KubeApi.Response live = call(t, "health check (GET " + t.path() + ")", () -> t.api.get(t.path()));
        if (live.code() == 404) {
            return HealthResponse.unhealthy(t.describe() + " is gone", -1);
        }
        if (!live.ok()) {
            throw failure(t, "health check (GET " + t.path() + ")", live);
        }
        String pods = WorkloadHealth.podsPath(live.body(), t.namespace());
        KubeApi.Response list = call(t, "health check (GET " + pods + ")", () -> t.api.get(pods));
        if (!list.ok()) {
            throw failure(t, "health check (GET " + pods + ")", list);
        }
        return WorkloadHealth.of(live.body(), list);
    }

    /** The manifest from a resource's attributes (connection attributes left out). */
    static Map<String, Object> manifest(Map<String, Object> attributes) {
        Map<String, Object> fields = new TreeMap<>(attributes);
        fields.remove(CONTEXT);
        fields.remove(KUBECONFIG);
        return Flat.unflatten(fields);
    }

    /** @param force take fields over from other managers (a planned take-over, --force-conflicts) */
    /** @return the object as the API server stored it */
    private Map<String, Object> serverSideApply(Target t, Map<String, Object> manifest, boolean force)
            throws ProviderException {
        String call = "server-side apply (PATCH " + t.path() + "?fieldManager=" + Manifests.MANAGER
                + (force ? "&force=true" : "") + ")";
        KubeApi.Response r = call(t, call, () -> t.api.apply(t.path(), manifest, Manifests.MANAGER, force));
        if (r.ok()) {
            return r.body();
        }
        if (r.code() == 409) {
            throw ProviderException.permanent(t.address + ": " + t.describe() + ": " + conflict(r)
                    + " (API answered HTTP 409: " + r.message() + ")");
        }
        if (r.code() == 404 && t.kind.isCustom()) {
            Optional<String> missing = missingKind(t);
            if (missing.isPresent()) {
                throw ProviderException.permanent(t.address + ": " + t.describe() + ": " + missing.get());
            }
        }
        throw failure(t, call, r);
    }

    /** Who owns what, from a 409's causes: {@code .spec.replicas (owned by "kubectl-edit")}. */
    static String conflict(KubeApi.Response r) {
        List<String> fields = new ArrayList<>();
        Set<String> managers = new TreeSet<>();
        Object details = r.body().get("details");
        if (details instanceof Map<?, ?> d && d.get("causes") instanceof List<?> causes) {
            for (Object c : causes) {
                if (c instanceof Map<?, ?> cause) {
                    String message = String.valueOf(cause.get("message"));
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("conflict with \"([^\"]*)\"")
                            .matcher(message);
                    String manager = m.find() ? m.group(1) : "another manager";
                    managers.add(manager);
                    fields.add(cause.get("field") + " (owned by \"" + manager + "\")");
                }
            }
        }
        if (fields.isEmpty()) {
            return "server-side apply conflicts with another field manager";
        }
        return "server-side apply conflicts with fields another manager owns: " + String.join(", ", fields)
                + "; Fleetform takes fields over only when planned with --force-conflicts (or drop them from the "
                + "fleet, or have " + String.join("/", managers) + " give them up)";
    }

    /** The fields and their owners of a 409, for the plan: {@code .spec.replicas (owned by "kubectl-edit")}. */
    static String conflictingFields(KubeApi.Response r) {
        List<String> fields = new ArrayList<>();
        Object details = r.body().get("details");
        if (details instanceof Map<?, ?> d && d.get("causes") instanceof List<?> causes) {
            for (Object c : causes) {
                if (c instanceof Map<?, ?> cause) {
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("conflict with \"([^\"]*)\"")
                            .matcher(String.valueOf(cause.get("message")));
                    fields.add(cause.get("field") + " (owned by \"" + (m.find() ? m.group(1) : "another manager")
                            + "\")");
                }
            }
        }
        return fields.isEmpty() ? "fields another field manager owns (" + r.message() + ")"
                : String.join(", ", fields);
    }

    /** For a custom kind the API server does not serve: why, if that is why. */
    private Optional<String> missingKind(Target t) throws ProviderException {
        String group = "/apis/" + t.kind.apiVersion;
        KubeApi.Response r = call(t, "discovery (GET " + group + ")", () -> t.api.get(group));
        boolean served = r.ok() && r.body().get("resources") instanceof List<?> list && list.stream().anyMatch(
                x -> x instanceof Map<?, ?> m && t.kind.plural.equals(m.get("name")));
        if (served) {
            return Optional.empty();
        }
        return Optional.of("the cluster does not serve " + t.kind.kind + " (" + t.kind.apiVersion + "): install "
                + t.kind.crdFrom + " and its CustomResourceDefinition first (GET " + group + " answered HTTP "
                + r.code() + (r.message().isEmpty() ? "" : ": " + r.message()) + ")");
    }

    /**
     * Waits until the workload just applied has rolled out, as the session's {@link RolloutWatch} of its kind
     * and namespace shows it: woken by each change instead of polling, so a quick rollout is seen at once and
     * a slow one costs no calls. Only the object that was applied counts (its uid, at least its generation):
     * deleted or replaced while waited for, the wait fails and says so. A cluster that refuses the LIST waits
     * by polling instead.
     */
    private void waitForRollout(Target t, Map<String, Object> applied, String fleet, Consumer<String> progress)
            throws ProviderException {
        RolloutWatch watch = fleet.isEmpty() ? null : watch(t, fleet);
        if (watch == null || watch.unavailable().isPresent()) {
            pollForRollout(t, progress);
            return;
        }
        String uid = RolloutWatch.uid(applied);
        long generation = Rollout.of(applied).generation();
        long deadline = System.nanoTime() + t.settings.rolloutTimeout().toNanos();
        long podsDue = System.nanoTime();
        long seen = -1;
        String[] last = {""};
        String now = "waiting for the watch to show it";
        while (true) {
            long wake = Math.min(deadline, podsDue > System.nanoTime() ? podsDue : deadline);
            RolloutWatch.View view;
            try {
                view = watch.await(t.name, uid, seen, wake);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ProviderException.temporary(t.address + ": interrupted while waiting for the rollout");
            }
            if (watch.unavailable().isPresent()) {
                pollForRollout(t, progress);
                return;
            }
            if (view.deleted()) {
                throw ProviderException.permanent(t.address + ": " + t.describe() + " was deleted while Fleetform "
                        + "waited for its rollout (uid " + uid + "; deleted or replaced by someone else): its stage "
                        + "is not healthy; apply again to make it");
            }
            seen = view.changes();
            Optional<Map<String, Object>> live = view.object().filter(o -> uid.equals(RolloutWatch.uid(o))
                    && Rollout.of(o).generation() >= generation);
            if (live.isPresent()) {
                boolean pods = System.nanoTime() >= podsDue;
                if (pods) {
                    podsDue = System.nanoTime() + t.settings.poll().toNanos();
                }
                Optional<String> waiting = judge(t, live.get(), pods, progress, last);
                if (waiting.isEmpty()) {
                    return;
                }
                now = waiting.get();
            } else if (!view.trouble().isEmpty()) {
                now = "the watch has not shown generation " + generation + " yet (" + view.trouble() + ")";
            }
            if (System.nanoTime() > deadline) {
                throw ProviderException.permanent(t.address + ": " + t.describe() + " did not roll out within "
                        + human(t.settings.rolloutTimeout()) + ": " + now + " (set FLEETFORM_K8S_ROLLOUT_TIMEOUT to "
                        + "wait longer; kubectl describe shows why pods are not ready)");
            }
        }
    }

    /** The session's watch of this target's kind and namespace, for this fleet's objects; started on first use. */
    private RolloutWatch watch(Target t, String fleet) {
        String key = t.api.describe() + "#" + t.kind.word + "#" + t.namespace + "#" + fleet;
        return watches.computeIfAbsent(key, k -> new RolloutWatch(t.api, t.kind, t.namespace, fleet,
                t.settings.watchFor()));
    }

    /**
     * One look at a workload: empty when rolled out (as far as a hold allows), else what it waits for. Fails at
     * once for what will not finish by waiting: a pause someone else set, a crash-looping new pod (read only when
     * {@code pods}, as that costs a LIST).
     */
    private Optional<String> judge(Target t, Map<String, Object> body, boolean pods, Consumer<String> progress,
                                   String[] last) throws ProviderException {
        Rollout state = Rollout.of(body);
        RolloutHold hold = RolloutHold.of(body);
        if (hold.done(state)) {
            if (hold.ours() && !state.done()) {
                progress.accept("rolled out the stage's share (" + state.describe() + "); the partition of "
                        + hold.partition() + " this stage set keeps the others at the previous revision");
            } else if (hold.partition() > 0 && !state.done()) {
                progress.accept("rolled out up to the partition of " + hold.partition() + " set by someone else ("
                        + state.describe() + "); Fleetform leaves the partition alone");
            }
            return Optional.empty();
        }
        if (hold.paused().isPresent()) {
            throw ProviderException.permanent(t.address + ": " + t.describe() + " is paused (" + hold.paused().get()
                    + " = true, set by someone else): Fleetform does not unpause it; its rollout stays unfinished "
                    + "until whoever paused it resumes it, then run apply again");
        }
        if (pods && body.get("status") instanceof Map<?, ?> st && st.get("updateRevision") != null) {
            String path = WorkloadHealth.podsPath(body, t.namespace());
            Optional<String> broken = WorkloadHealth.brokenNewPod(body,
                    call(t, "rollout check (GET " + path + ")", () -> t.api.get(path)));
            if (broken.isPresent()) {
                throw ProviderException.permanent(t.address + ": " + t.describe() + " does not roll out: "
                        + broken.get() + " (kubectl logs --previous shows why)");
            }
        }
        String now = state.describe();
        if (!now.equals(last[0])) {
            progress.accept(now);
            last[0] = now;
        }
        return Optional.of(now);
    }

    /** Without a watch: a GET of the workload, again after 100 ms, backing off to the poll interval. */
    private void pollForRollout(Target t, Consumer<String> progress) throws ProviderException {
        long deadline = System.nanoTime() + t.settings.rolloutTimeout().toNanos();
        String[] last = {""};
        Duration wait = Duration.ofMillis(Math.min(100, t.settings.poll().toMillis()));
        while (true) {
            KubeApi.Response r = call(t, "rollout check (GET " + t.path() + ")", () -> t.api.get(t.path()));
            if (!r.ok()) {
                throw failure(t, "rollout check (GET " + t.path() + ")", r);
            }
            Optional<String> waiting = judge(t, r.body(), true, progress, last);
            if (waiting.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw ProviderException.permanent(t.address + ": " + t.describe() + " did not roll out within "
                        + human(t.settings.rolloutTimeout()) + ": " + waiting.get() + " (set "
                        + "FLEETFORM_K8S_ROLLOUT_TIMEOUT to wait longer; kubectl describe shows why pods are not ready)");
            }
            sleep(wait);
            wait = wait.multipliedBy(2).compareTo(t.settings.poll()) > 0 ? t.settings.poll() : wait.multipliedBy(2);
        }
    }

    /**
     * A workload's rollout as its status tells it. The same rule for every workload kind, as
     * they all report the same counters (OpenKruise's CloneSet and Advanced StatefulSet like
     * the built-in ones; kruise-game's GameServerSet copies its Advanced StatefulSet's):
     * rolled out when the controller has seen the latest generation ({@code
     * status.observedGeneration ≥ metadata.generation}) and {@code status.replicas},
     * {@code updatedReplicas} and {@code readyReplicas} all equal {@code spec.replicas} (no
     * old pods left, all at the new revision, all ready), and, for the kinds that report it
     * ({@code updatedReadyReplicas}: the Kruise kinds), that many updated pods are ready.
     */
    record Rollout(long generation, long observed, long replicas, long ready, long updated, long current,
                   long updatedReady) {
        static Rollout of(Map<String, Object> object) {
            Map<?, ?> meta = object.get("metadata") instanceof Map<?, ?> m ? m : Map.of();
            Map<?, ?> spec = object.get("spec") instanceof Map<?, ?> m ? m : Map.of();
            Map<?, ?> status = object.get("status") instanceof Map<?, ?> m ? m : Map.of();
            return new Rollout(number(meta.get("generation"), 0), number(status.get("observedGeneration"), 0),
                    number(spec.get("replicas"), 1), number(status.get("readyReplicas"), 0),
                    number(status.get("updatedReplicas"), 0), number(status.get("replicas"), 0),
                    number(status.get("updatedReadyReplicas"), -1));
        }

        boolean done() {
            return observed >= generation && updated == replicas && ready == replicas && current == replicas
                    && (updatedReady < 0 || updatedReady == replicas);
        }

        String describe() {
            if (observed < generation) {
                return "waiting for the controller to see generation " + generation + " (it has seen " + observed + ")";
            }
            return ready + "/" + replicas + " replicas ready, " + updated + " updated"
                    + (updatedReady >= 0 && updatedReady != replicas && ready == replicas && updated == replicas
                    ? " (" + updatedReady + " of them updated and ready)" : "")
                    + (current > replicas ? ", " + (current - replicas) + " old ones still running" : "");
        }

        private static long number(Object o, long fallback) {
            return o instanceof Number n ? n.longValue() : fallback;
        }
    }

    /**
     * Foreground deletion (dependents first), waiting until the object is gone; only of an object
     * that carries this fleet's identity, and of a namespace only when it holds nothing that is
     * not the fleet's (the plan said so; this checks again).
     *
     * @return warnings: an object left in place because it is not this fleet's
     */
    private List<String> delete(Target t, Ownership.Owner fleet, Consumer<String> progress) throws ProviderException {
        KubeApi.Response live = call(t, "ownership check (GET " + t.path() + ")", () -> t.api.get(t.path()));
        if (live.code() == 404) {
            return List.of();
        }
        if (!live.ok()) {
            throw failure(t, "ownership check (GET " + t.path() + ")", live);
        }
        if (!Ownership.ours(live.body(), fleet)) {
            return List.of("left in place: " + t.describe() + " is not this fleet's (" + Ownership.whose(live.body(),
                    fleet) + ")");
        }
        if (t.kind == Kind.NAMESPACE) {
            String why = PlanChecks.namespaceContents(t, fleet, ourSriovNetwork(t.api, fleet)).whyItStays();
            if (!why.isEmpty()) {
                throw ProviderException.permanent(t.address + ": " + t.describe() + " was not deleted: " + why
                        + " (it changed since the plan; plan again, and the namespace is left in place)");
            }
        }
        String call = "delete (DELETE " + t.path() + ", propagationPolicy=Foreground)";
        // Only the object whose ownership was just checked, by its uid: never one made under its name since.
        String uid = live.body().get("metadata") instanceof Map<?, ?> m && m.get("uid") instanceof String u ? u : null;
        KubeApi.Response r = call(t, call, () -> t.api.delete(t.path(), "Foreground", uid));
        if (r.code() == 404) {
            return List.of();
        }
        if (!r.ok()) {
            throw failure(t, call, r);
        }
        long deadline = System.nanoTime() + t.settings.rolloutTimeout().toNanos();
        boolean told = false;
        while (true) {
            KubeApi.Response now = call(t, "deletion check (GET " + t.path() + ")", () -> t.api.get(t.path()));
            if (now.code() == 404) {
                return List.of();
            }
            if (!now.ok()) {
                throw failure(t, "deletion check (GET " + t.path() + ")", now);
            }
            if (!told) {
                progress.accept("waiting for deletion (dependents first)");
                told = true;
            }
            if (System.nanoTime() > deadline) {
                Object finalizers = now.body().get("metadata") instanceof Map<?, ?> m ? m.get("finalizers") : null;
                throw ProviderException.temporary(t.address + ": " + t.describe() + " is still being deleted after "
                        + human(t.settings.rolloutTimeout()) + " (finalizers " + finalizers
                        + "; is the garbage collector running?"
                        + (t.kind.isCustom() ? " It picks up a newly installed CustomResourceDefinition's kind from "
                        + "discovery within about 30s" : "") + ")");
            }
            sleep(t.settings.poll());
        }
    }

    // ------------------------------------------------------------------ check

    /** At plan time, against the live object: see {@link PlanChecks}. */
    @Override
    public CheckResponse check(CheckRequest request) throws ProviderException {
        return new PlanChecks(this).check(request);
    }

    // ----------------------------------------------------------------- import

    @Override
    public ImportResponse importResource(ImportRequest request) throws ProviderException {
        Resource desired = lastExpansion.get(request.address());
        Map<String, Object> connection = new TreeMap<>();
        String[] parts = request.address().value().split("\\.", 4);
        if (desired != null) {
            desired.attributes().forEach((k, v) -> {
                if (k.equals(CONTEXT) || k.equals(KUBECONFIG)) {
                    connection.put(k, v);
                }
            });
        } else if (parts.length > 1 && lastClusters.containsKey(parts[1])) {
            connection.putAll(lastClusters.get(parts[1]));
        } else {
            connection.put(CONTEXT, parts.length > 1 ? parts[1] : "");
        }
        Kind kind = Kind.ofType(request.type()).orElseThrow(() -> ProviderException.permanent(request.address()
                + ": the kubernetes provider has no type " + request.type()));
        String id = request.id();
        String namespace = id.contains("/") ? id.substring(0, id.indexOf('/'))
                : parts.length > 3 && parts[3].contains("/") ? parts[3].substring(0, parts[3].indexOf('/')) : "";
        String name = id.contains("/") ? id.substring(id.indexOf('/') + 1) : id;
        Map<String, Object> identity = new TreeMap<>(connection);
        identity.put("metadata.name", name);
        if (kind.namespaced) {
            identity.put("metadata.namespace", namespace);
        }
        Target t = target(request.address(), request.type(), identity, request.context());
        KubeApi.Response r = call(t, "import (GET " + t.path() + ")", () -> t.api.get(t.path()));
        if (r.code() == 404) {
            return new ImportResponse(Optional.empty());
        }
        if (!r.ok()) {
            throw failure(t, "import (GET " + t.path() + ")", r);
        }
        if (desired != null) {
            r = markAsOurs(t, r, Ownership.Owner.of(desired.attributes()));
        }
        Map<String, Object> attributes;
        if (desired != null) {
            attributes = project(r.body(), desired.attributes(), desired.sensitive());
        } else {
            Map<String, Object> live = new LinkedHashMap<>(r.body());
            live.remove("status");
            if (live.get("metadata") instanceof Map<?, ?> meta) {
                Map<String, Object> kept = new LinkedHashMap<>();
                for (String k : List.of("name", "namespace", "labels", "annotations")) {
                    if (meta.containsKey(k)) {
                        kept.put(k, meta.get(k));
                    }
                }
                live.put("metadata", kept);
            }
            attributes = new TreeMap<>(Flat.flatten(live));
            attributes.putAll(connection);
        }
        return new ImportResponse(Optional.of(attributes));
    }

    /**
     * Import is the explicit adoption: the object gets this fleet's identity at once, so every
     * later read, change and delete finds it the fleet's. Another fleet's object is refused.
     */
    private KubeApi.Response markAsOurs(Target t, KubeApi.Response live, Ownership.Owner fleet)
            throws ProviderException {
        Optional<String> owner = Ownership.fleetOfLive(live.body());
        if (owner.isPresent() && !Ownership.ours(live.body(), fleet)) {
            throw ProviderException.permanent(t.address + ": " + t.describe() + " is not this fleet's ("
                    + Ownership.whose(live.body(), fleet) + "): Fleetform does not take it over");
        }
        if (Ownership.madeBy(live.body(), fleet)
                && Ownership.addressOfLive(live.body()).filter(t.address::equals).isPresent()) {
            return live;
        }
        Map<String, Object> annotations = new TreeMap<>(Map.of(Manifests.ADDRESS_ANNOTATION, t.address));
        if (!fleet.identity().isEmpty()) {
            annotations.put(Manifests.OWNER_ANNOTATION, fleet.identity());
        }
        Map<String, Object> patch = Map.of("metadata", Map.of("labels", Map.of(Manifests.FLEET_LABEL, fleet.fleet()),
                "annotations", annotations));
        String call = "import (PATCH " + t.path() + ": this fleet's identity)";
        KubeApi.Response r = call(t, call, () -> t.api.mergePatch(t.path(), patch, Manifests.MANAGER));
        if (!r.ok()) {
            throw failure(t, call, r);
        }
        return r;
    }

    // ------------------------------------------------------------ connections

    /** One object in one cluster: where it is and how to reach it. */
    record Target(String address, Kind kind, String namespace, String name, KubeApi api, Settings settings) {
        String path() {
            return kind.path(namespace, name);
        }

        String describe() {
            return kind.kind + " " + (kind.namespaced ? namespace + "/" : "") + name + " (" + kind.apiVersion
                    + ") in " + api.describe();
        }
    }

    Target target(ResourceAddress address, String type, Map<String, Object> attributes,
                          ProviderContext context) throws ProviderException {
        Kind kind = Kind.ofType(type).orElseThrow(() -> ProviderException.permanent(address
                + ": the kubernetes provider has no type " + type));
        String name = String.valueOf(attributes.getOrDefault("metadata.name", ""));
        String namespace = String.valueOf(attributes.getOrDefault("metadata.namespace", ""));
        String contextName = String.valueOf(attributes.getOrDefault(CONTEXT, ""));
        Path kubeconfig = kubeconfig((String) attributes.get(KUBECONFIG), context);
        Settings settings = Settings.from(context.environment());
        return new Target(address.value(), kind, namespace, name, api(kubeconfig, contextName, settings,
                address.value()), settings);
    }

    /** The session's one connection per kubeconfig and context. */
    private KubeApi api(Path kubeconfig, String contextName, Settings settings, String what) throws ProviderException {
        String key = kubeconfig.toAbsolutePath().normalize() + "#" + contextName;
        KubeApi api = apis.get(key);
        if (api == null) {
            synchronized (apis) {
                api = apis.get(key);
                if (api == null) {
                    try {
                        api = new KubeApi(kubeconfig, contextName, settings.requestTimeout(), retry);
                    } catch (KubeApi.Unreachable e) {
                        throw new ProviderException(what + ": " + e.getMessage(), e.transientFailure, e);
                    }
                    apis.put(key, api);
                }
            }
        }
        return api;
    }

    /** The cluster block's kubeconfig (relative to the fleet folder), else $KUBECONFIG, else ~/.kube/config. */
    static Path kubeconfig(String configured, ProviderContext context) {
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured.startsWith("~/") ? home(context) + configured.substring(1) : configured);
            return p.isAbsolute() || context.fleetDir() == null ? p : context.fleetDir().resolve(p);
        }
        String env = context.environment().get("KUBECONFIG");
        if (env != null && !env.isBlank()) {
            return Path.of(env.split(java.io.File.pathSeparator)[0]);
        }
        return Path.of(home(context), ".kube", "config");
    }

    private static String home(ProviderContext context) {
        return context.environment().getOrDefault("HOME", System.getProperty("user.home"));
    }

    // ----------------------------------------------------------------- errors

    interface Call {
        KubeApi.Response run() throws KubeApi.Unreachable;
    }

    static KubeApi.Response call(Target t, String what, Call call) throws ProviderException {
        try {
            return call.run();
        } catch (KubeApi.Unreachable e) {
            throw new ProviderException(t.address + ": " + what + " of " + t.describe() + " failed: " + e.getMessage(),
                    e.transientFailure, e);
        }
    }

    /**
     * An answer that is not a success: transient for 429 and 5xx (but not the 500s with which
     * 1.20's server-side apply reports schema errors), permanent otherwise; always naming the
     * object, the call and the API's answer.
     */
    static ProviderException failure(Target t, String call, KubeApi.Response r) {
        String message = r.message();
        boolean temporary = r.code() == 429 || (r.code() >= 500 && !KubeApi.schemaError(r.body(), r.text()));
        String reason = r.body().get("reason") instanceof String s ? " " + s : "";
        return new ProviderException(t.address + ": " + call + " of " + t.describe() + " failed: HTTP " + r.code()
                + reason + (message.isEmpty() ? "" : ": " + message) + r.afterAttempts(), temporary, null);
    }

    private static String human(Duration d) {
        return d.toMinutes() > 0 && d.toSecondsPart() == 0 ? d.toMinutes() + "m" : d.toSeconds() + "s";
    }

    private static void sleep(Duration d) throws ProviderException {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ProviderException.temporary("interrupted while waiting");
        }
    }

    /** Closes the API connections (at the end of a run, and for tests and {@code render}). */
    @Override
    public void close() {
        watches.values().forEach(RolloutWatch::close);
        watches.clear();
        apis.values().forEach(KubeApi::close);
        apis.clear();
    }

    /** For tests: the objects of one target cluster's manifests (used by {@code fleetform render}). */
    static Map<String, KubeApi> connections(KubernetesProvider p) {
        return new HashMap<>(p.apis);
    }
}
