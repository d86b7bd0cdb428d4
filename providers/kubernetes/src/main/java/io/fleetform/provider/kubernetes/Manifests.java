package io.fleetform.provider.kubernetes;

import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.engine.model.Cluster;
import io.fleetform.engine.model.Cpu;
import io.fleetform.engine.model.EnvVar;
import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.model.Idc;
import io.fleetform.engine.model.Image;
import io.fleetform.engine.model.IoLimits;
import io.fleetform.engine.model.Service;
import io.fleetform.engine.model.Spread;
import io.fleetform.engine.model.Sriov;
import io.fleetform.engine.model.TargetRef;
import io.fleetform.engine.model.Zone;
import io.fleetform.engine.text.Digests;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The fleet model as Kubernetes objects: pure, no API calls (plan and {@code fleetform render}
 * use it offline). The mapping is described in the module's README.
 */
final class Manifests {
    static final String MANAGER = "fleetform";
    /** The fleet's identity on every object (and pod, and PVC through the selector): read, change, delete only these. */
    static final String FLEET_LABEL = "fleetform.io/fleet";
    /** The Fleetform address of the object, so a crash between create and record is adopted, not duplicated. */
    static final String ADDRESS_ANNOTATION = "fleetform.io/address";
    /**
     * The fleet's identity ({@code <fleet>.<lineage>}, see {@code FleetIdentity}) on every object it makes (not on
     * pod templates or selectors, which it would restart or cannot change): two copies of a fleet with their own
     * states never take each other's objects.
     */
    static final String OWNER_ANNOTATION = "fleetform.io/owner";
    /** On the pod template: the Secret's keyed revision, so a secret change rolls the pods (see SecretRevision). */
    static final String SECRET_HASH_ANNOTATION = "fleetform.io/secret-hash";

    /** One object to write, in one cluster. */
    /** @param addressName the name in the address: the object's name, unless a rename kept the old name */
    record Rendered(Kind kind, Cluster cluster, String namespace, String name, Map<String, Object> manifest,
                    List<Rendered> dependsOn, boolean preventDestroy, List<String> external, String addressName) {
        Rendered(Kind kind, Cluster cluster, String namespace, String name, Map<String, Object> manifest,
                 List<Rendered> dependsOn, boolean preventDestroy, List<String> external) {
            this(kind, cluster, namespace, name, manifest, dependsOn, preventDestroy, external, name);
        }

        Rendered(Kind kind, Cluster cluster, String namespace, String name, Map<String, Object> manifest,
                 List<Rendered> dependsOn, boolean preventDestroy) {
            this(kind, cluster, namespace, name, manifest, dependsOn, preventDestroy, List.of());
        }

        String address() {
            return KubernetesProvider.address(cluster.name(), kind, namespace, addressName);
        }
    }

    /**
     * A zone service whose objects were renamed ({@code moved}, {@code state mv}): Kubernetes cannot
     * rename an object, so they keep the name they were made with, and their pods keep the zone label
     * they were made with (a changed pod template would restart them).
     *
     * @param name    the objects' base name, as made ({@code z4-logic})
     * @param podZone the pods' {@code fleetform.io/zone} label as made, or null
     */
    record Kept(String name, String podZone) {
        static String key(String cluster, String namespace, String base) {
            return cluster + "|" + namespace + "|" + base;
        }
    }

    /** The name suffix of a kind's per-service object ({@code -config}), "" for the Service and the workload. */
    static String suffix(Kind kind) {
        return switch (kind) {
            case CONFIGMAP -> "-config";
            case SECRET -> "-env";
            case NETWORK_ATTACHMENT -> "-sriov";
            default -> "";
        };
    }

    /** @param zones the zone each zone-scoped object belongs to (by identity), for rollout stages */
    record Result(List<Rendered> objects, List<Diagnostic> diagnostics, Map<Rendered, String> zones) {
        Result(List<Rendered> objects, List<Diagnostic> diagnostics) {
            this(objects, diagnostics, Map.of());
        }

        String zoneOf(Rendered r) {
            return zones.getOrDefault(r, "");
        }
    }

    private final Fleet fleet;
    private final Map<String, String> digests;
    private final Settings settings;
    private final List<Rendered> objects = new ArrayList<>();
    private final List<Diagnostic> diagnostics = new ArrayList<>();
    private final Map<String, Rendered> namespaces = new LinkedHashMap<>();

    private Manifests(Fleet fleet, Map<String, String> digests, Settings settings) {
        this.fleet = fleet;
        this.digests = digests;
        this.settings = settings;
    }

    /** The objects for the zones placed (through their IDC) on the named clusters. */
    static Result render(Fleet fleet, Set<String> clusters, Map<String, String> digests, Settings settings) {
        return render(fleet, clusters, digests, settings, Map.of());
    }

    /** @param kept by {@link Kept#key}: the zone services that keep the names they were made with */
    static Result render(Fleet fleet, Set<String> clusters, Map<String, String> digests, Settings settings,
                         Map<String, Kept> kept) {
        return render(fleet, clusters, digests, settings, kept, Set.of());
    }

    /**
     * @param sriovOperator the clusters that run the SR-IOV Network Operator (serve its CRDs): their SR-IOV
     *                      services get the operator's objects, the others NetworkAttachmentDefinitions
     */
    static Result render(Fleet fleet, Set<String> clusters, Map<String, String> digests, Settings settings,
                         Map<String, Kept> kept, Set<String> sriovOperator) {
        return render(fleet, clusters, digests, settings, kept, sriovOperator, null);
    }

    /**
     * @param secretKey the key of the pod templates' secret revisions (see {@link SecretRevision}); null where no
     *                  state is at hand (offline render): {@link SecretRevision#UNKEYED}
     */
    static Result render(Fleet fleet, Set<String> clusters, Map<String, String> digests, Settings settings,
                         Map<String, Kept> kept, Set<String> sriovOperator, byte[] secretKey) {
        return render(fleet, clusters, digests, settings, kept, sriovOperator, secretKey, null);
    }

    /** @param owner the fleet's identity for {@link #OWNER_ANNOTATION}; null where no state is at hand (offline) */
    static Result render(Fleet fleet, Set<String> clusters, Map<String, String> digests, Settings settings,
                         Map<String, Kept> kept, Set<String> sriovOperator, byte[] secretKey, String owner) {
        Manifests m = new Manifests(fleet, digests, settings);
        m.owner = owner;
        m.kept.putAll(kept);
        m.secretKey = secretKey;
        m.sriovOperator.addAll(sriovOperator);
        for (Zone zone : fleet.zones()) {
            Optional<Idc> idc = fleet.idc(zone.idc());
            if (idc.isEmpty() || idc.get().target().kind() != TargetRef.Kind.CLUSTER
                    || !clusters.contains(idc.get().target().name())) {
                continue;
            }
            Cluster cluster = fleet.clusters().stream().filter(c -> c.name().equals(idc.get().target().name()))
                    .findFirst().orElse(null);
            if (cluster == null) {
                continue;
            }
            for (Service s : zone.services()) {
                m.service(cluster, idc.get(), zone, s);
            }
        }
        m.notEnforced();
        return new Result(List.copyOf(m.objects), List.copyOf(m.diagnostics), m.zoneOf);
    }

    static String namespaceOf(Fleet fleet, Cluster cluster) {
        return cluster.namespace() == null || cluster.namespace().isBlank() ? dns(fleet.name()) : cluster.namespace();
    }

    private Rendered namespace(Cluster cluster) {
        String ns = namespaceOf(fleet, cluster);
        return namespaces.computeIfAbsent(cluster.name() + "/" + ns, k -> {
            Map<String, Object> labels = new TreeMap<>();
            labels.put("app.kubernetes.io/managed-by", MANAGER);
            labels.put(FLEET_LABEL, label(fleet.name()));
            Rendered r = new Rendered(Kind.NAMESPACE, cluster, ns, ns, object(Kind.NAMESPACE, null, ns, labels),
                    List.of(), false);
            identify(r);
            objects.add(r);
            return r;
        });
    }

    private void service(Cluster cluster, Idc idc, Zone zone, Service s) {
        currentZone = zone.name();
        try {
            renderService(cluster, idc, zone, s);
        } finally {
            currentZone = "";
            currentBase = "";
            currentName = "";
        }
    }

    private void renderService(Cluster cluster, Idc idc, Zone zone, Service s) {
        Rendered ns = namespace(cluster);
        String namespace = ns.name();
        String derived = dns(zone.name() + "-" + s.name());
        Kept keep = kept.get(Kept.key(cluster.name(), namespace, derived));
        String name = keep == null ? derived : keep.name();
        currentBase = derived;
        currentName = name;
        boolean protect = s.lifecycle().preventDestroy() || zone.lifecycle().preventDestroy();
        String where = "zone " + zone.name() + " service " + s.name();
        Map<String, Object> labels = labels(idc, zone, s, name);
        Map<String, Object> selector = new TreeMap<>();
        selector.put("app.kubernetes.io/instance", name);
        selector.put(FLEET_LABEL, label(fleet.name()));
        List<Rendered> deps = new ArrayList<>();
        deps.add(ns);

        Kind kind = switch (s.workload()) {
            case STATEFULSET -> Kind.STATEFULSET;
            case DEPLOYMENT -> Kind.DEPLOYMENT;
            case CLONESET -> Kind.CLONESET;
            case ADVANCED_STATEFULSET -> Kind.ADVANCED_STATEFULSET;
            case GAMESERVERSET -> Kind.GAMESERVERSET;
        };

        // Headless Service: stable DNS per instance (StatefulSet serviceName) and the ports.
        Map<String, Object> svcSpec = new LinkedHashMap<>();
        svcSpec.put("clusterIP", "None");
        svcSpec.put("selector", selector);
        List<Object> svcPorts = new ArrayList<>();
        List<Object> containerPorts = new ArrayList<>();
        boolean hostNetwork = s.network().mode() == io.fleetform.engine.model.NetworkMode.HOST;
        new TreeMap<>(s.ports()).forEach((portName, port) -> {
            String protocol = protocol(portName);
            svcPorts.add(map("name", portName(portName), "port", port, "targetPort", port, "protocol", protocol));
            Map<String, Object> containerPort = map("name", portName(portName), "containerPort", port, "protocol",
                    protocol);
            if (hostNetwork) { // on the node's network the pod binds the node's port: the scheduler keeps two apart
                containerPort.put("hostPort", port);
            }
            containerPorts.add(containerPort);
        });
        if (!svcPorts.isEmpty()) {
            svcSpec.put("ports", svcPorts);
        }
        Map<String, Object> svc = object(Kind.SERVICE, namespace, name, labels);
        svc.put("spec", svcSpec);
        Rendered service = add(new Rendered(Kind.SERVICE, cluster, namespace, name, svc, List.of(ns), protect));
        deps.add(service);

        // Config files: one ConfigMap, each file mounted alone (subPath) where the fleet says.
        List<Object> volumes = new ArrayList<>();
        List<Object> mounts = new ArrayList<>();
        Map<String, Object> podAnnotations = new TreeMap<>();
        if (!s.configFiles().isEmpty()) {
            Map<String, Object> data = new TreeMap<>();
            new TreeMap<>(s.configFiles()).forEach((path, content) -> {
                String key = configKey(path);
                data.put(key, content);
                String mountPath = path.startsWith("/") ? path : "/etc/fleetform/" + path;
                mounts.add(map("name", "config", "mountPath", mountPath, "subPath", key, "readOnly", true));
            });
            Map<String, Object> cm = object(Kind.CONFIGMAP, namespace, name + "-config", labels);
            cm.put("data", data);
            deps.add(add(new Rendered(Kind.CONFIGMAP, cluster, namespace, name + "-config", cm, List.of(ns), protect)));
            volumes.add(map("name", "config", "configMap", map("name", name + "-config")));
            podAnnotations.put("fleetform.io/config-hash", Digests.sha256Hex(data.toString()).substring(0, 16));
        }

        // Environment: plain values inline, sensitive ones only through a Secret.
        List<Object> env = new ArrayList<>();
        Map<String, Object> secretData = new TreeMap<>();
        for (EnvVar e : s.env()) {
            if (e.sensitive()) {
                secretData.put(e.name(), Base64.getEncoder().encodeToString(
                        (e.value() == null ? "" : e.value()).getBytes(StandardCharsets.UTF_8)));
                env.add(map("name", e.name(), "valueFrom",
                        map("secretKeyRef", map("name", name + "-env", "key", e.name()))));
            } else {
                env.add(map("name", e.name(), "value", e.value() == null ? "" : e.value()));
            }
        }
        if (!secretData.isEmpty()) {
            Map<String, Object> secret = object(Kind.SECRET, namespace, name + "-env", labels);
            secret.put("type", "Opaque");
            secret.put("data", secretData);
            deps.add(add(new Rendered(Kind.SECRET, cluster, namespace, name + "-env", secret, List.of(ns), protect)));
            // Keyed, never a plain hash (a short secret could be found from one): a rotated secret rolls the pods.
            podAnnotations.put(SECRET_HASH_ANNOTATION, secretKey == null ? SecretRevision.UNKEYED
                    : SecretRevision.of(secretKey, secretData));
        }

        // Resources: pinned CPU means the Guaranteed QoS class (whole cores, requests = limits).
        Map<String, Object> requests = new TreeMap<>();
        Map<String, Object> limits = new TreeMap<>();
        Cpu cpu = s.cpu();
        requests.put("cpu", cpuQuantity(cpu.millicores()));
        requests.put("memory", bytesQuantity(s.memoryBytes()));
        limits.put("memory", bytesQuantity(s.memoryBytes()));
        if (cpu.pinned()) {
            if (cpu.millicores() % 1000 != 0) {
                diagnostics.add(Diagnostic.error("k8s-pinned-fraction", s.span(), where + ": pinned CPU must be whole "
                        + "cores on Kubernetes (the static CPU manager only pins integer requests), not " + cpu,
                        "use cpu = " + Math.max(1, cpu.wholeCores()) + " cores pinned"));
            }
            limits.put("cpu", cpuQuantity(cpu.millicores()));
        }

        Map<String, Object> container = new LinkedHashMap<>();
        container.put("name", dns(s.name()));
        container.put("image", image(s));
        if (!s.command().isEmpty()) {
            container.put("command", s.command());
        }
        if (!containerPorts.isEmpty()) {
            container.put("ports", containerPorts);
        }
        if (!env.isEmpty()) {
            container.put("env", env);
        }
        s.health().ifPresent(h -> container.put("readinessProbe", readinessProbe(h)));

        Map<String, Object> podSpec = new LinkedHashMap<>();
        List<Object> claimTemplates = new ArrayList<>();
        s.disk().ifPresent(disk -> {
            mounts.add(0, map("name", "data", "mountPath", disk.mountPath()));
            if (kind == Kind.DEPLOYMENT) {
                diagnostics.add(Diagnostic.warning("k8s-disk-deployment", s.span(), where + " is a Deployment: its "
                        + "disk is an emptyDir (lost when a pod goes), not a persistent volume",
                        "use workload = statefulset for data that must stay"));
                volumes.add(0, map("name", "data", "emptyDir", map("sizeLimit", bytesQuantity(disk.sizeBytes()))));
            } else {
                Map<String, Object> pvcSpec = new LinkedHashMap<>();
                pvcSpec.put("accessModes", List.of("ReadWriteOnce"));
                pvcSpec.put("resources", map("requests", map("storage", bytesQuantity(disk.sizeBytes()))));
                if (!settings.storageClass().isEmpty()) {
                    pvcSpec.put("storageClassName", settings.storageClass());
                }
                claimTemplates.add(map("metadata", map("name", "data"), "spec", pvcSpec));
            }
        });
        s.io().ifPresent(io -> {
            ioAnnotations(io, podAnnotations);
            unenforced(cluster, where).add("io");
        });

        switch (s.network().mode()) {
            case HOST -> {
                podSpec.put("hostNetwork", true);
                podSpec.put("dnsPolicy", "ClusterFirstWithHostNet");
            }
            case SRIOV -> {
                Sriov vf = s.network().sriov().orElseThrow();
                String resource;
                if (sriovOperator.contains(cluster.name())) {
                    Rendered network = operatorNetwork(cluster, ns, idc, vf);
                    deps.add(network);
                    podAnnotations.put("k8s.v1.cni.cncf.io/networks", SriovNetworks.podNetworks(network.name(),
                            namespace, vf.mac()));
                    resource = settings.sriovResourcePrefix() + "/" + SriovNetworks.resourceName(fleet, idc);
                } else {
                    Rendered nad = sriov(cluster, ns, idc, namespace, name, labels, vf, protect);
                    deps.add(nad);
                    podAnnotations.put("k8s.v1.cni.cncf.io/networks", nad.name());
                    resource = settings.sriovResource();
                }
                requests.put(resource, "1");
                limits.put(resource, "1");
                podAnnotations.put("fleetform.io/sriov-irq", vf.irq().name().toLowerCase(Locale.ROOT));
                podAnnotations.put("fleetform.io/sriov-rps", vf.rps() ? "on" : "off");
                if (vf.irq() == io.fleetform.engine.model.IrqBinding.LOCAL) {
                    unenforced(cluster, where).add("irq = local");
                }
                if (vf.rps()) {
                    unenforced(cluster, where).add("rps = on");
                }
            }
            default -> {
                // overlay and bridge: the pod network
            }
        }
        container.put("resources", map("requests", requests, "limits", limits));
        if (!mounts.isEmpty()) {
            container.put("volumeMounts", mounts);
        }
        podSpec.put("containers", List.of(container));
        Map<String, Object> affinity = affinity(idc, zone, s, selector);
        if (!affinity.isEmpty()) {
            podSpec.put("affinity", affinity);
        }
        if (!volumes.isEmpty()) {
            podSpec.put("volumes", volumes);
        }

        Map<String, Object> podMeta = new LinkedHashMap<>();
        Map<String, Object> podLabels = labels;
        if (keep != null && keep.podZone() != null) {
            podLabels = new TreeMap<>(labels);
            podLabels.put("fleetform.io/zone", keep.podZone());
        }
        podMeta.put("labels", podLabels);
        if (!podAnnotations.isEmpty()) {
            podMeta.put("annotations", podAnnotations);
        }
        Map<String, Object> template = map("metadata", podMeta, "spec", podSpec);

        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("replicas", (long) s.replicas());
        if (kind == Kind.GAMESERVERSET) {
            Map<String, Object> gsTemplate = new LinkedHashMap<>(template);
            if (!claimTemplates.isEmpty()) {
                gsTemplate.put("volumeClaimTemplates", claimTemplates);
            }
            spec.put("gameServerTemplate", gsTemplate);
        } else {
            spec.put("selector", map("matchLabels", selector));
            if (kind == Kind.STATEFULSET || kind == Kind.ADVANCED_STATEFULSET) {
                spec.put("serviceName", name);
                spec.put("podManagementPolicy", "Parallel");
            }
            spec.put("template", template);
            if (!claimTemplates.isEmpty()) {
                spec.put("volumeClaimTemplates", claimTemplates);
            }
        }
        inPlaceUpdates(kind, spec);
        Map<String, Object> workload = object(kind, namespace, name, labels);
        workload.put("spec", spec);
        add(new Rendered(kind, cluster, namespace, name, workload, List.copyOf(deps), protect, imageDependencies(s)));
    }

    /**
     * The kinds that can update a pod without recreating it do so where the change allows
     * (an image or a resource change restarts the container in the same pod, keeping its IP,
     * node and volumes): CloneSet's {@code updateStrategy.type}, and the rolling update's
     * {@code podUpdatePolicy} of Advanced StatefulSet and GameServerSet.
     */
    private static void inPlaceUpdates(Kind kind, Map<String, Object> spec) {
        if (kind == Kind.CLONESET) {
            spec.put("updateStrategy", map("type", "InPlaceIfPossible"));
        } else if (kind == Kind.ADVANCED_STATEFULSET || kind == Kind.GAMESERVERSET) {
            spec.put("updateStrategy", map("type", "RollingUpdate", "rollingUpdate",
                    map("podUpdatePolicy", "InPlaceIfPossible")));
        }
    }

    /**
     * Addresses of other providers' resources a workload waits for: its image resolved and
     * copied to each of its mirrors (the registry provider's {@code image.NAME} and
     * {@code image.NAME.mirror.REGISTRY}), when the image comes from a registry. The engine
     * drops edges to addresses nobody declares.
     */
    private List<String> imageDependencies(Service s) {
        Image image = fleet.image(s.image()).orElse(null);
        if (image == null || image.registry().isEmpty()) {
            return List.of();
        }
        List<String> deps = new ArrayList<>();
        deps.add("image." + image.name());
        image.replicateTo().forEach(m -> deps.add("image." + image.name() + ".mirror." + m));
        return List.copyOf(deps);
    }

    private Rendered sriov(Cluster cluster, Rendered ns, Idc idc, String namespace, String name,
                           Map<String, Object> labels, Sriov sriov, boolean protect) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("cniVersion", "0.3.1");
        config.put("name", name + "-sriov");
        config.put("type", "sriov");
        if (sriov != null) {
            sriov.vlan().ifPresent(v -> config.put("vlan", v));
            sriov.mac().ifPresent(v -> config.put("mac", v));
            config.put("spoofchk", sriov.spoofCheck() ? "on" : "off");
            config.put("trust", sriov.trust() ? "on" : "off");
            if (sriov.minRateBytesPerSecond() > 0) {
                config.put("min_tx_rate", sriov.minRateBytesPerSecond() * 8 / 1_000_000); // Mbps
            }
            if (sriov.maxRateBytesPerSecond() > 0) {
                config.put("max_tx_rate", sriov.maxRateBytesPerSecond() * 8 / 1_000_000);
            }
        }
        config.put("ipam", SriovNetworks.ipam(idc));
        Map<String, Object> nad = object(Kind.NETWORK_ATTACHMENT, namespace, name + "-sriov", labels);
        @SuppressWarnings("unchecked")
        Map<String, Object> meta = (Map<String, Object>) nad.get("metadata");
        meta.put("annotations", new TreeMap<>(Map.of("k8s.v1.cni.cncf.io/resourceName", settings.sriovResource())));
        nad.put("spec", map("config", Json.write(config)));
        return add(new Rendered(Kind.NETWORK_ATTACHMENT, cluster, namespace, name + "-sriov", nad, List.of(ns),
                protect));
    }

    /**
     * The operator's objects an SR-IOV service of the IDC uses, made once per cluster: the IDC's policy and the
     * network of its VF setting, in the operator's namespace. They belong to no zone (their own rollout step,
     * like the namespace) and carry the fleet's identity like everything else.
     */
    private Rendered operatorNetwork(Cluster cluster, Rendered ns, Idc idc, Sriov vf) {
        String operatorNs = settings.sriovNamespace();
        if (settings.sriovPfNames().isEmpty() && pfNamesMissing.add(cluster.name())) {
            diagnostics.add(Diagnostic.error("k8s-sriov-pf-names", cluster.span(), "cluster \"" + cluster.name()
                    + "\" runs the SR-IOV Network Operator, and Fleetform writes a SriovNetworkNodePolicy for each IDC"
                    + " with SR-IOV services, but no physical functions are named for it",
                    "set FLEETFORM_K8S_SRIOV_PF_NAMES to the PFs its nodes have, e.g. ens1f0,ens1f1 (and"
                            + " FLEETFORM_K8S_SRIOV_NUM_VFS, 8 by default)"));
        }
        Map<String, Object> labels = new TreeMap<>();
        labels.put("app.kubernetes.io/managed-by", MANAGER);
        labels.put(FLEET_LABEL, label(fleet.name()));
        labels.put("fleetform.io/idc", label(idc.name()));
        String policyName = SriovNetworks.policyName(fleet, idc);
        Rendered policy = shared.computeIfAbsent(cluster.name() + "/policy/" + policyName, k -> {
            Map<String, Object> o = object(Kind.SRIOV_NODE_POLICY, operatorNs, policyName, labels);
            o.put("spec", SriovNetworks.policySpec(fleet, idc, settings));
            return addShared(new Rendered(Kind.SRIOV_NODE_POLICY, cluster, operatorNs, policyName, o, List.of(),
                    false));
        });
        String networkName = SriovNetworks.networkName(fleet, idc, vf);
        return shared.computeIfAbsent(cluster.name() + "/network/" + networkName, k -> {
            Map<String, Object> o = object(Kind.SRIOV_NETWORK, operatorNs, networkName, labels);
            o.put("spec", SriovNetworks.networkSpec(fleet, idc, vf, ns.name()));
            return addShared(new Rendered(Kind.SRIOV_NETWORK, cluster, operatorNs, networkName, o,
                    List.of(ns, policy), false));
        });
    }

    private Rendered addShared(Rendered r) {
        identify(r);
        objects.add(r);
        return r;
    }

    private List<String> unenforced(Cluster cluster, String service) {
        return unenforced.computeIfAbsent(cluster, c -> new LinkedHashMap<>()).computeIfAbsent(service,
                w -> new ArrayList<>());
    }

    /**
     * IO caps, IRQ binding and RPS are the node's business, and no Fleetform agent runs on a cluster's nodes:
     * the plan says so once per cluster instead of promising them (the pods carry them as annotations only).
     */
    private void notEnforced() {
        unenforced.forEach((cluster, asks) -> {
            List<String> services = asks.entrySet().stream().map(e -> e.getKey() + " (" + String.join(", ",
                    e.getValue()) + ")").toList();
            diagnostics.add(Diagnostic.warning("k8s-not-enforced",
                cluster.span(), "cluster \"" + cluster.name() + "\" does not enforce IO caps, SR-IOV IRQ binding or"
                        + " RPS: Kubernetes has no per-pod disk bandwidth limit and no Fleetform agent runs on its nodes;"
                        + " " + services.size() + " service" + (services.size() == 1 ? "" : "s") + " ask for them: "
                        + String.join(", ", services.subList(0, Math.min(3, services.size())))
                        + (services.size() > 3 ? ", and " + (services.size() - 3) + " more" : ""),
                "they are kept as fleetform.io/io-* and fleetform.io/sriov-* pod annotations only; place the zones"
                        + " on hosts where they must hold"));
        });
    }

    private final Set<String> sriovOperator = new java.util.HashSet<>();
    private final Set<String> pfNamesMissing = new java.util.HashSet<>();
    private final Map<String, Rendered> shared = new LinkedHashMap<>();
    private final Map<Cluster, Map<String, List<String>>> unenforced = new LinkedHashMap<>();

    private Map<String, Object> affinity(Idc idc, Zone zone, Service s, Map<String, Object> selector) {
        Map<String, Object> affinity = new LinkedHashMap<>();
        List<Object> expressions = new ArrayList<>();
        expressions.add(map("key", settings.idcLabel(), "operator", "In", "values", List.of(idc.name())));
        if (idc.region() != null && !idc.region().isBlank()) {
            expressions.add(map("key", settings.regionLabel(), "operator", "In", "values", List.of(idc.region())));
        }
        zone.module().ifPresent(module -> expressions.add(map("key", settings.moduleLabel(), "operator", "In",
                "values", List.of(module))));
        affinity.put("nodeAffinity", map("requiredDuringSchedulingIgnoredDuringExecution",
                map("nodeSelectorTerms", List.of(map("matchExpressions", expressions)))));
        if (s.spread() != Spread.NONE) {
            String key = s.spread() == Spread.HOST ? "kubernetes.io/hostname" : settings.rackLabel();
            affinity.put("podAntiAffinity", map("requiredDuringSchedulingIgnoredDuringExecution", List.of(
                    map("labelSelector", map("matchLabels", selector), "topologyKey", key))));
        }
        return affinity;
    }

    private Map<String, Object> labels(Idc idc, Zone zone, Service s, String name) {
        Map<String, Object> labels = new TreeMap<>();
        labels.put("app.kubernetes.io/name", label(s.name()));
        labels.put("app.kubernetes.io/instance", name);
        labels.put("app.kubernetes.io/part-of", label(fleet.name()));
        labels.put("app.kubernetes.io/managed-by", MANAGER);
        labels.put(FLEET_LABEL, label(fleet.name()));
        labels.put("fleetform.io/zone", label(zone.name()));
        labels.put("fleetform.io/idc", label(idc.name()));
        labels.put("fleetform.io/service", label(s.name()));
        zone.module().ifPresent(m -> labels.put("fleetform.io/module", label(m)));
        return labels;
    }

    private static void ioAnnotations(IoLimits io, Map<String, Object> annotations) {
        if (io.readBytesPerSecond() > 0) {
            annotations.put("fleetform.io/io-read-bps", String.valueOf(io.readBytesPerSecond()));
        }
        if (io.writeBytesPerSecond() > 0) {
            annotations.put("fleetform.io/io-write-bps", String.valueOf(io.writeBytesPerSecond()));
        }
        if (io.readIops() > 0) {
            annotations.put("fleetform.io/io-read-iops", String.valueOf(io.readIops()));
        }
        if (io.writeIops() > 0) {
            annotations.put("fleetform.io/io-write-iops", String.valueOf(io.writeIops()));
        }
    }

    /** registry/repository@digest once the registry provider resolved it, registry/repository:tag until then. */
    private String image(Service s) {
        Optional<Image> image = fleet.image(s.image());
        if (image.isEmpty()) {
            return s.image();
        }
        Image i = image.get();
        String host = i.registry().flatMap(fleet::registry).map(r -> r.url().replaceFirst("^[a-z]+://", "")
                .replaceAll("/+$", "")).orElse("");
        String repo = host.isEmpty() ? i.repository() : host + "/" + i.repository();
        String digest = digests.get(i.name());
        if (digest != null) {
            return repo + "@" + digest;
        }
        return i.digest().map(d -> repo + "@" + d).orElse(repo + ":" + i.tag().orElse("latest"));
    }

    private Rendered add(Rendered given) {
        Rendered r = given;
        if (!currentName.equals(currentBase) && r.kind() != Kind.NAMESPACE && r.name().startsWith(currentName)) {
            r = new Rendered(r.kind(), r.cluster(), r.namespace(), r.name(), r.manifest(), r.dependsOn(),
                    r.preventDestroy(), r.external(), currentBase + r.name().substring(currentName.length()));
        }
        identify(r);
        objects.add(r);
        if (!currentZone.isEmpty()) {
            zoneOf.put(r, currentZone);
        }
        return r;
    }

    /** The zone whose service is being rendered ("" outside one), and what each object belongs to. */
    private String currentZone = "";
    /** The current service's base name by its zone and service, and the name its objects have (a kept one). */
    private String currentBase = "";
    private String currentName = "";
    private final Map<String, Kept> kept = new java.util.HashMap<>();
    private byte[] secretKey;
    private final Map<Rendered, String> zoneOf = new java.util.IdentityHashMap<>();

    /** The fleet's identity, or null (offline). */
    private String owner;

    /**
     * Writes the object's address and the fleet's identity into its annotations (the fleet label is among its
     * labels already).
     */
    @SuppressWarnings("unchecked")
    private void identify(Rendered r) {
        Map<String, Object> meta = (Map<String, Object>) r.manifest().get("metadata");
        Map<String, Object> annotations = new TreeMap<>();
        if (meta.get("annotations") instanceof Map<?, ?> existing) {
            existing.forEach((k, v) -> annotations.put(String.valueOf(k), v));
        }
        annotations.put(ADDRESS_ANNOTATION, r.address());
        if (owner != null) {
            annotations.put(OWNER_ANNOTATION, owner);
        }
        meta.put("annotations", annotations);
    }

    private static Map<String, Object> object(Kind kind, String namespace, String name, Map<String, Object> labels) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("name", name);
        if (namespace != null) {
            meta.put("namespace", namespace);
        }
        meta.put("labels", labels);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("apiVersion", kind.apiVersion);
        o.put("kind", kind.kind);
        o.put("metadata", meta);
        return o;
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** Quantities are always strings (1.20's server-side apply refuses numbers), in canonical form. */
    static String cpuQuantity(long millicores) {
        return millicores % 1000 == 0 ? String.valueOf(millicores / 1000) : millicores + "m";
    }

    static String bytesQuantity(long bytes) {
        String[] suffixes = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
        int i = 0;
        long v = bytes;
        while (v != 0 && v % 1024 == 0 && i < suffixes.length - 1) {
            v /= 1024;
            i++;
        }
        return v + suffixes[i];
    }

    /** udp in a port's name means UDP ({@code udp}, {@code game-udp}); everything else is TCP. */
    static String protocol(String portName) {
        String n = portName.toLowerCase(Locale.ROOT);
        return n.equals("udp") || n.startsWith("udp-") || n.endsWith("-udp") ? "UDP" : "TCP";
    }

    private static String portName(String name) {
        String n = dns(name);
        return n.length() > 15 ? n.substring(0, 15).replaceAll("-+$", "") : n;
    }

    private static String configKey(String path) {
        String key = path.replaceFirst("^/+", "").replace('/', '_').replaceAll("[^-._a-zA-Z0-9]", "_");
        return key.isEmpty() ? "config" : key;
    }

    /** A DNS-1123 label: lower case, digits and '-', at most 63 characters. */
    static String dns(String s) {
        String n = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("^-+|-+$", "");
        if (n.length() > 63) {
            n = n.substring(0, 63).replaceAll("-+$", "");
        }
        return n.isEmpty() ? "x" : n;
    }

    /** A label value: at most 63 of [-_.A-Za-z0-9], starting and ending alphanumeric. */
    static String label(String s) {
        String n = s.replaceAll("[^-_.A-Za-z0-9]+", "-");
        if (n.length() > 63) {
            n = n.substring(0, 63);
        }
        return n.replaceAll("^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "");
    }

    /** A service's {@code health} probe is its pods' readiness probe: the rollout wait counts Ready pods. */
    static Map<String, Object> readinessProbe(io.fleetform.engine.model.HealthCheck h) {
        Map<String, Object> probe = new LinkedHashMap<>();
        if (h.probe() instanceof io.fleetform.engine.model.HealthCheck.Tcp t) {
            probe.put("tcpSocket", map("port", t.port()));
        } else if (h.probe() instanceof io.fleetform.engine.model.HealthCheck.Http t) {
            probe.put("httpGet", map("path", t.path(), "port", t.port()));
        } else if (h.probe() instanceof io.fleetform.engine.model.HealthCheck.Exec e) {
            probe.put("exec", map("command", e.command()));
        }
        probe.put("periodSeconds", Math.max(1, (h.interval().toMillis() + 999) / 1000));
        probe.put("timeoutSeconds", Math.max(1, (h.timeout().toMillis() + 999) / 1000));
        probe.put("successThreshold", h.healthyAfter());
        probe.put("failureThreshold", h.unhealthyAfter());
        return probe;
    }
}
