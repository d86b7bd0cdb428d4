package io.fleetform.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.apply.Applier;
import io.fleetform.engine.apply.ApplyEvent;
import io.fleetform.engine.apply.ApplyResult;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.plan.PlanMode;
import io.fleetform.engine.plan.ResourceChange;
import io.fleetform.engine.provider.ApplyRequest;
import io.fleetform.engine.provider.ExpandRequest;
import io.fleetform.engine.provider.ProviderContext;
import io.fleetform.engine.provider.ProviderException;
import io.fleetform.engine.resource.Resource;
import io.fleetform.engine.run.Workspace;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenKruise kinds (CloneSet, Advanced StatefulSet, kruise-game GameServerSet) on a real
 * API server with minimal CustomResourceDefinitions installed (structural, spec and status
 * {@code x-kubernetes-preserve-unknown-fields}, status subresource). No Kruise controller
 * runs: status is written by the test. Uses cluster "two", so that cluster "one" keeps not
 * serving them (other tests check the refusal).
 */
@ExtendWith(TestClusters.class)
class KubernetesCrdWorkloadsTest {
    private static final List<Kind> KRUISE = List.of(Kind.CLONESET, Kind.ADVANCED_STATEFULSET, Kind.GAMESERVERSET);
    @TempDir
    Path dir;
    private final KubernetesProvider provider = new KubernetesProvider();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private TestClusters.Cluster cluster;
    private KubeApi api;

    @BeforeEach
    void setUp() throws Exception {
        cluster = TestClusters.cluster("two");
        api = new KubeApi(cluster.kubeconfig(), cluster.context(), Duration.ofSeconds(10));
        synchronized (KubernetesCrdWorkloadsTest.class) {
            if (!ready) {
                for (Kind kind : KRUISE) {
                    installCrd(api, kind);
                }
                // The garbage collector reads discovery at start, then only every 30 s: restarted, it knows them.
                TestClusters.restartControllers(cluster);
                for (Kind kind : KRUISE) {
                    waitUntilGarbageCollected(api, kind);
                }
                ready = true;
            }
        }
    }

    private static boolean ready;

    /**
     * The garbage collector learns about a new kind from discovery at start and then every 30s
     * (hard-coded in kube-controller-manager); until then a foreground deletion of such an object
     * waits. A probe object, deleted in the foreground until it is gone, makes sure it knows.
     */
    private static void waitUntilGarbageCollected(KubeApi api, Kind kind) throws Exception {
        String path = kind.path("default", "gc-probe");
        KubeApi.Response made = api.apply(path, Map.of("apiVersion", kind.apiVersion, "kind", kind.kind,
                "metadata", Map.of("name", "gc-probe", "namespace", "default"), "spec", Map.of()), "test", true);
        assertThat(made.ok()).as(made.message()).isTrue();
        assertThat(api.delete(path, "Foreground").ok()).isTrue();
        long until = System.currentTimeMillis() + 60_000;
        while (api.get(path).code() != 404) {
            if (System.currentTimeMillis() > until) {
                throw new AssertionError("the garbage collector did not pick up " + kind.kind + " within 60s");
            }
            Thread.sleep(200);
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        api.close();
        provider.close();
    }

    /** A minimal CRD for the kind (idempotent), then waits until it is established and discovery serves it. */
    static void installCrd(KubeApi api, Kind kind) throws Exception {
        String group = kind.apiVersion.substring(0, kind.apiVersion.indexOf('/'));
        String version = kind.apiVersion.substring(kind.apiVersion.indexOf('/') + 1);
        String name = kind.plural + "." + group;
        Map<String, Object> open = Map.of("type", "object", "x-kubernetes-preserve-unknown-fields", true);
        Map<String, Object> crd = Map.of("apiVersion", "apiextensions.k8s.io/v1", "kind", "CustomResourceDefinition",
                "metadata", Map.of("name", name),
                "spec", Map.of("group", group, "scope", "Namespaced",
                        "names", Map.of("plural", kind.plural, "singular", kind.kind.toLowerCase(), "kind", kind.kind,
                                "listKind", kind.kind + "List"),
                        "versions", List.of(Map.of("name", version, "served", true, "storage", true,
                                "subresources", Map.of("status", Map.of()),
                                "schema", Map.of("openAPIV3Schema", Map.of("type", "object",
                                        "properties", Map.of("spec", open, "status", open)))))));
        String crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
        KubeApi.Response made = api.post(crds, crd);
        assertThat(made.code()).as(made.message()).isIn(201, 409);
        long until = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < until) {
            KubeApi.Response served = api.get("/apis/" + kind.apiVersion);
            if (served.ok() && String.valueOf(served.body().get("resources")).contains("name=" + kind.plural + ",")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("CRD " + name + " not served after 30s");
    }

    private static String fleet(String namespace, String memory, String image, TestClusters.Cluster c) {
        StringBuilder f = new StringBuilder();
        f.append("fleet \"kr\" { owner = \"ops\" }\n");
        f.append("image \"app\" { name = \"kr/app\"  tag = \"").append(image).append("\" }\n");
        f.append("cluster \"").append(c.name()).append("\" {\n  context = \"").append(c.context())
                .append("\"\n  namespace = \"").append(namespace).append("\"\n  kubeconfig = \"")
                .append(c.kubeconfig()).append("\"\n}\n");
        f.append("idc \"dc\" { region = \"r1\"  target = cluster.").append(c.name()).append(" }\n");
        f.append("zones \"k\" from 1 to 1 as z {\n  idc = idc.dc\n");
        for (String workload : List.of("cloneset", "advanced_statefulset", "gameserverset")) {
            f.append("  service \"").append(workload.replace("_", "")).append("\" {\n")
                    .append("    workload = ").append(workload).append("\n")
                    .append("    image    = image.app\n")
                    .append("    cpu      = 2 cores\n")
                    .append("    memory   = ").append(memory).append("\n")
                    .append("    replicas = 2\n")
                    .append("    ports    = { game = 7000 }\n")
                    .append("  }\n");
        }
        f.append("}\n");
        return f.toString();
    }

    private Workspace workspace(String fleet) throws Exception {
        return TestWorkspaces.open(dir, fleet, provider);
    }

    private Workspace.Planned plan(Workspace ws, PlanMode mode) throws Exception {
        return TestWorkspaces.plan(ws, mode);
    }

    private ApplyResult apply(Workspace ws, Workspace.Planned planned, List<String> events) throws Exception {
        return ws.apply(planned, new Applier.Options(4, 2, Duration.ofMillis(200), Duration.ofSeconds(5)), e -> {
            if (e instanceof ApplyEvent.Failed f) {
                events.add(f.address() + ": " + f.error());
            }
            if (e instanceof ApplyEvent.Retrying r) {
                events.add(r.address() + " retried: " + r.error());
            }
        }, new AtomicBoolean());
    }

    private static List<ResourceChange> changes(Workspace.Planned p) {
        return p.plan().changes().stream().filter(c -> c.action() != Action.NO_OP).toList();
    }

    private static final Map<Kind, String> NAMES = Map.of(Kind.CLONESET, "k1-cloneset",
            Kind.ADVANCED_STATEFULSET, "k1-advancedstatefulset", Kind.GAMESERVERSET, "k1-gameserverset");

    @SuppressWarnings("unchecked")
    private Map<String, Object> meta(Kind kind, String ns) throws Exception {
        KubeApi.Response r = api.get(kind.path(ns, NAMES.get(kind)));
        assertThat(r.code()).as(kind + ": " + r.message()).isEqualTo(200);
        return (Map<String, Object>) r.body().get("metadata");
    }

    @Test
    void kruiseWorkloadsApplyUpdateInPlaceAndDestroy() throws Exception {
        String ns = "kruise";
        closing.add(new FakeKubelet(cluster, ns));
        List<String> events = new CopyOnWriteArrayList<>();
        Workspace ws = workspace(fleet(ns, "1Gi", "1.0", cluster));
        Workspace.Planned first = plan(ws, PlanMode.NORMAL);
        assertThat(changes(first)).extracting(ch -> ch.address().value() + " " + ch.action()).contains(
                "k8s.two.cloneset.kruise/k1-cloneset CREATE",
                "k8s.two.advancedstatefulset.kruise/k1-advancedstatefulset CREATE",
                "k8s.two.gameserverset.kruise/k1-gameserverset CREATE").hasSize(1 + 3 * 2);
        assertThat(apply(ws, first, events).succeeded()).as(events.toString()).isTrue();

        Map<Kind, Object> uids = new HashMap<>();
        for (Kind kind : KRUISE) {
            Map<String, Object> meta = meta(kind, ns);
            uids.put(kind, meta.get("uid"));
            assertThat(((Number) meta.get("generation")).longValue()).as(kind.kind).isEqualTo(1L);
            assertThat(String.valueOf(meta.get("managedFields"))).as(kind.kind)
                    .contains("manager=fleetform, operation=Apply");
        }
        KubeApi.Response gss = api.get(Kind.GAMESERVERSET.path(ns, "k1-gameserverset"));
        assertThat(Json.write(gss.body())).contains("\"gameServerTemplate\"").contains("\"memory\":\"1Gi\"");
        assertThat(Json.write(api.get(Kind.CLONESET.path(ns, "k1-cloneset")).body()))
                .contains("\"updateStrategy\":{\"type\":\"InPlaceIfPossible\"}");
        assertThat(Json.write(gss.body())).contains("\"podUpdatePolicy\":\"InPlaceIfPossible\"");
        assertThat(Json.write(api.get(Kind.ADVANCED_STATEFULSET.path(ns, "k1-advancedstatefulset")).body()))
                .contains("\"podUpdatePolicy\":\"InPlaceIfPossible\"");
        assertThat(changes(plan(ws, PlanMode.NORMAL))).as("re-plan after create").isEmpty();

        // Memory and image change: an update in place of the same objects (same uid, new generation).
        ws = workspace(fleet(ns, "2Gi", "1.1", cluster));
        Workspace.Planned changed = plan(ws, PlanMode.NORMAL);
        assertThat(changes(changed)).extracting(ch -> ch.address().value() + " " + ch.action())
                .containsExactlyInAnyOrder("k8s.two.cloneset.kruise/k1-cloneset UPDATE",
                        "k8s.two.advancedstatefulset.kruise/k1-advancedstatefulset UPDATE",
                        "k8s.two.gameserverset.kruise/k1-gameserverset UPDATE");
        assertThat(changed.plan().rollout().disruption()).as("memory changes recreate the pods")
                .containsValue("recreate");
        assertThat(apply(ws, changed, events).succeeded()).as(events.toString()).isTrue();
        for (Kind kind : KRUISE) {
            Map<String, Object> meta = meta(kind, ns);
            assertThat(meta.get("uid")).as(kind.kind).isEqualTo(uids.get(kind));
            assertThat(((Number) meta.get("generation")).longValue()).as(kind.kind).isEqualTo(2L);
            String body = Json.write(api.get(kind.path(ns, NAMES.get(kind))).body());
            assertThat(body).as(kind.kind).contains("\"memory\":\"2Gi\"").contains("kr/app:1.1");
        }
        assertThat(changes(plan(ws, PlanMode.NORMAL))).as("re-plan after the change").isEmpty();

        Workspace.Planned destroy = plan(ws, PlanMode.DESTROY);
        assertThat(destroy.plan().count(Action.DELETE)).isEqualTo(7);
        assertThat(apply(ws, destroy, events).succeeded()).as(events.toString()).isTrue();
        assertThat(events).as("nothing needed a retry").isEmpty();
        for (Kind kind : KRUISE) {
            assertThat(api.get(kind.path(ns, NAMES.get(kind))).code()).as(kind.kind).isEqualTo(404);
        }
        assertThat(api.get(Kind.NAMESPACE.path(null, ns)).code()).isEqualTo(404);
    }

    private Map<String, Resource> expand(String ns, Map<String, String> env) throws Exception {
        var fleet = TestFleets.load(dir, fleet(ns, "1Gi", "1.0", cluster));
        Map<String, Resource> byAddress = new HashMap<>();
        var response = provider.expand(new ExpandRequest(fleet, Set.of("two"), new ProviderContext(dir, env)));
        assertThat(response.diagnostics()).isEmpty();
        response.resources().forEach(r -> byAddress.put(r.address().value(), r));
        return byAddress;
    }

    private void writeStatus(Kind kind, String ns, Map<String, Object> status) throws Exception {
        KubeApi.Response r = api.mergePatch(kind.path(ns, NAMES.get(kind)) + "/status", Map.of("status", status),
                "test");
        assertThat(r.code()).as(r.message()).isEqualTo(200);
    }

    private static Map<String, Object> status(long observed, long replicas, long ready, long updated,
                                              long updatedReady) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("observedGeneration", observed);
        s.put("replicas", replicas);
        s.put("readyReplicas", ready);
        s.put("availableReplicas", ready);
        s.put("updatedReplicas", updated);
        s.put("updatedReadyReplicas", updatedReady);
        return s;
    }

    /** What "rolled out" means for the Kruise kinds, with status written step by step. */
    @Test
    void rolloutWaitForKruiseKinds() throws Exception {
        String ns = "kroll";
        Map<String, String> env = TestFleets.env();
        Map<String, Resource> rs = expand(ns, env);
        ProviderContext context = new ProviderContext(dir, env);
        provider.apply(new ApplyRequest(Action.CREATE, Optional.empty(), Optional.of(rs.get("k8s.two.namespace." + ns)),
                context, s -> { }));
        for (Kind kind : KRUISE) {
            String address = "k8s.two." + kind.word + "." + ns + "/" + NAMES.get(kind);
            List<String> progress = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> applied = CompletableFuture.runAsync(() -> {
                try {
                    provider.apply(new ApplyRequest(Action.CREATE, Optional.empty(), Optional.of(rs.get(address)),
                            context, progress::add));
                } catch (ProviderException e) {
                    throw new RuntimeException(e);
                }
            });
            waitFor(() -> !progress.isEmpty());
            assertThat(progress.get(0)).as(kind.kind).startsWith("waiting for the controller to see generation 1");
            // Seen, all replicas there and updated, one ready: waiting.
            writeStatus(kind, ns, status(1, 2, 1, 2, 1));
            waitFor(() -> progress.contains("1/2 replicas ready, 2 updated"));
            // All ready, but one ready pod is an old one (only one updated pod is ready): waiting.
            writeStatus(kind, ns, status(1, 2, 2, 2, 1));
            waitFor(() -> progress.contains("2/2 replicas ready, 2 updated (1 of them updated and ready)"));
            // A third (old) pod is still running: waiting.
            writeStatus(kind, ns, status(1, 3, 2, 2, 2));
            waitFor(() -> progress.contains("2/2 replicas ready, 2 updated, 1 old ones still running"));
            Thread.sleep(300);
            assertThat(applied).as(kind.kind).isNotDone();
            writeStatus(kind, ns, status(1, 2, 2, 2, 2));
            applied.get(60, TimeUnit.SECONDS);
        }
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void waitFor(Check check) throws Exception {
        long until = System.currentTimeMillis() + 60_000; // a loaded machine's API server answers slowly
        while (!check.ok()) {
            if (System.currentTimeMillis() > until) {
                throw new AssertionError("condition not met within 60 s");
            }
            Thread.sleep(50);
        }
    }
}
