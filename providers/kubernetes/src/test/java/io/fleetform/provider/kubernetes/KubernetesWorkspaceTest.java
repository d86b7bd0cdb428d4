package io.fleetform.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.apply.Applier;
import io.fleetform.engine.apply.ApplyEvent;
import io.fleetform.engine.apply.ApplyResult;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.plan.PlanMode;
import io.fleetform.engine.plan.ResourceChange;
import io.fleetform.engine.run.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plan and apply through the engine's Workspace with the local state backend, against real
 * API servers: create, change, no changes, drift and a conflict with another field manager,
 * destroy; a replacement (a change Kubernetes refuses in place); and a fleet on two clusters.
 */
@ExtendWith(TestClusters.class)
class KubernetesWorkspaceTest {
    @TempDir
    Path dir;
    private final KubernetesProvider provider = new KubernetesProvider();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private KubeApi one;

    @BeforeEach
    void setUp() throws Exception {
        TestClusters.Cluster c = TestClusters.cluster("one");
        one = new KubeApi(c.kubeconfig(), c.context(), Duration.ofSeconds(10));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        one.close();
        provider.close();
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
            } else if (e instanceof ApplyEvent.StillWorking s) {
                events.add(s.address() + ": " + s.detail());
            }
        }, new AtomicBoolean());
    }

    private static List<ResourceChange> changes(Workspace.Planned p) {
        return p.plan().changes().stream().filter(c -> c.action() != Action.NO_OP).toList();
    }

    @Test
    void applyChangeNoChangesDriftConflictAndDestroy() throws Exception {
        TestClusters.Cluster c = TestClusters.cluster("one");
        closing.add(new FakeKubelet(c, "ws"));
        List<String> events = new CopyOnWriteArrayList<>();

        Workspace ws = workspace(TestFleets.fleet("ws", 2, "1Gi", "", c));
        Workspace.Planned first = plan(ws, PlanMode.NORMAL);
        assertThat(first.plan().count(Action.CREATE)).isEqualTo(1 + 2 * 4);
        assertThat(first.plan().changes()).extracting(ch -> ch.address().value()).contains(
                "k8s.one.namespace.ws", "k8s.one.statefulset.ws/onez1-game", "k8s.one.service.ws/onez1-game",
                "k8s.one.configmap.ws/onez1-game-config", "k8s.one.secret.ws/onez1-game-env");
        ApplyResult created = apply(ws, first, events);
        assertThat(created.succeeded()).as(events.toString()).isTrue();
        KubeApi.Response sts = one.get(Kind.STATEFULSET.path("ws", "onez1-game"));
        assertThat(sts.code()).isEqualTo(200);
        assertThat(Json.write(sts.body())).contains("\"cpu\":\"2\"").doesNotContain(TestFleets.SECRET);
        KubeApi.Response secret = one.get(Kind.SECRET.path("ws", "onez1-game-env"));
        assertThat(Json.write(secret.body())).contains(java.util.Base64.getEncoder().encodeToString(
                TestFleets.SECRET.getBytes()));
        assertThat(Files.readString(dir.resolve(".fleetform/state.json"))).doesNotContain(TestFleets.SECRET)
                .doesNotContain(java.util.Base64.getEncoder().encodeToString(TestFleets.SECRET.getBytes()));

        assertThat(changes(plan(ws, PlanMode.NORMAL))).as("re-plan after apply").isEmpty();

        // A change in place shows the field that changes.
        ws = workspace(TestFleets.fleet("ws", 2, "2Gi", "", c));
        Workspace.Planned resize = plan(ws, PlanMode.NORMAL);
        assertThat(changes(resize)).extracting(ch -> ch.address().value() + " " + ch.action())
                .containsExactlyInAnyOrder("k8s.one.statefulset.ws/onez1-game UPDATE",
                        "k8s.one.statefulset.ws/onez2-game UPDATE");
        assertThat(changes(resize).get(0).changes()).extracting(a -> a.name())
                .containsExactly("spec.template.spec.containers[0].resources.limits",
                        "spec.template.spec.containers[0].resources.requests");
        assertThat(apply(ws, resize, events).succeeded()).as(events.toString()).isTrue();
        assertThat(Json.write(one.get(Kind.STATEFULSET.path("ws", "onez1-game")).body())).contains("\"memory\":\"2Gi\"");
        assertThat(changes(plan(ws, PlanMode.NORMAL))).as("re-plan after the change").isEmpty();

        // Another manager adds a label Fleetform does not manage: not drift, and not fought over.
        KubeApi.Response other = one.apply(Kind.STATEFULSET.path("ws", "onez1-game"), Map.of("apiVersion", "apps/v1",
                "kind", "StatefulSet", "metadata", Map.of("name", "onez1-game", "namespace", "ws",
                        "labels", Map.of("team", "sre"))), "sre-tool", false);
        assertThat(other.code()).as(other.message()).isEqualTo(200);
        assertThat(changes(plan(ws, PlanMode.NORMAL))).isEmpty();

        // The other manager tries to take a field Fleetform owns: 409 naming fleetform.
        KubeApi.Response taken = one.apply(Kind.STATEFULSET.path("ws", "onez1-game"), Map.of("apiVersion", "apps/v1",
                "kind", "StatefulSet", "metadata", Map.of("name", "onez1-game", "namespace", "ws"),
                "spec", Map.of("replicas", 5)), "sre-tool", false);
        assertThat(taken.code()).isEqualTo(409);
        assertThat(taken.message()).contains("conflict with \"fleetform\"").contains(".spec.replicas");

        // An out-of-band edit (kubectl edit style update) is drift; applying it back would conflict with that
        // manager: the plan says so (naming it) and apply leaves it alone, without failing.
        KubeApi.Response edit = one.mergePatch(Kind.STATEFULSET.path("ws", "onez2-game"),
                Map.of("spec", Map.of("replicas", 4)), "kubectl-edit");
        assertThat(edit.code()).as(edit.message()).isEqualTo(200);
        Workspace.Planned drifted = plan(ws, PlanMode.NORMAL);
        assertThat(drifted.plan().drift()).hasSize(1);
        assertThat(drifted.plan().drift().get(0).address().value()).isEqualTo("k8s.one.statefulset.ws/onez2-game");
        assertThat(drifted.plan().drift().get(0).changes()).extracting(a -> a.name() + "=" + a.after())
                .containsExactly("spec.replicas=4");
        assertThat(changes(drifted)).extracting(ch -> ch.address().value() + " " + ch.action())
                .containsExactly("k8s.one.statefulset.ws/onez2-game CONFLICT");
        assertThat(changes(drifted).get(0).reason()).contains(".spec.replicas (owned by \"kubectl-edit\")");
        events.clear();
        ApplyResult conflicted = apply(ws, drifted, events);
        assertThat(conflicted.succeeded()).as(events.toString()).isTrue();
        assertThat(Json.write(one.get(Kind.STATEFULSET.path("ws", "onez2-game")).body())).contains("\"replicas\":4");

        // Destroy: everything goes, dependents before the namespace.
        Workspace.Planned destroy = plan(ws, PlanMode.DESTROY);
        assertThat(destroy.plan().count(Action.DELETE)).isEqualTo(9);
        events.clear();
        assertThat(apply(ws, destroy, events).succeeded()).as(events.toString()).isTrue();
        assertThat(one.get(Kind.STATEFULSET.path("ws", "onez1-game")).code()).isEqualTo(404);
        assertThat(one.get(Kind.NAMESPACE.path(null, "ws")).code()).isEqualTo(404);
    }

    @Test
    void oneFleetOnTwoApiServers() throws Exception {
        TestClusters.Cluster c1 = TestClusters.cluster("one");
        TestClusters.Cluster c2 = TestClusters.cluster("two");
        closing.add(new FakeKubelet(c1, "multi"));
        closing.add(new FakeKubelet(c2, "multi"));
        List<String> events = new CopyOnWriteArrayList<>();
        Workspace ws = workspace(TestFleets.fleet("multi", 1, "1Gi", "", c1, c2));
        Workspace.Planned planned = plan(ws, PlanMode.NORMAL);
        assertThat(planned.plan().changes()).extracting(ch -> ch.address().value())
                .contains("k8s.one.statefulset.multi/onez1-game", "k8s.two.statefulset.multi/twoz1-game");
        assertThat(apply(ws, planned, events).succeeded()).as(events.toString()).isTrue();
        try (KubeApi two = new KubeApi(c2.kubeconfig(), c2.context(), Duration.ofSeconds(10))) {
            assertThat(one.get(Kind.STATEFULSET.path("multi", "onez1-game")).code()).isEqualTo(200);
            assertThat(one.get(Kind.STATEFULSET.path("multi", "twoz1-game")).code()).isEqualTo(404);
            assertThat(two.get(Kind.STATEFULSET.path("multi", "twoz1-game")).code()).isEqualTo(200);
            assertThat(two.get(Kind.STATEFULSET.path("multi", "onez1-game")).code()).isEqualTo(404);
        }
        assertThat(changes(plan(ws, PlanMode.NORMAL))).isEmpty();
        assertThat(apply(ws, plan(ws, PlanMode.DESTROY), events).succeeded()).as(events.toString()).isTrue();
    }

    /** A change Kubernetes refuses in place (volumeClaimTemplates) plans as a replacement: delete, then create. */
    @Test
    void replacementWhenKubernetesCannotChangeInPlace() throws Exception {
        TestClusters.Cluster c = TestClusters.cluster("one");
        closing.add(new FakeKubelet(c, "repl"));
        List<String> events = new CopyOnWriteArrayList<>();
        Workspace ws = workspace(TestFleets.fleet("repl", 1, "1Gi", "    disk = 10Gi at \"/data\"\n", c));
        assertThat(apply(ws, plan(ws, PlanMode.NORMAL), events).succeeded()).as(events.toString()).isTrue();
        String path = Kind.STATEFULSET.path("repl", "onez1-game");
        Object uid = ((Map<?, ?>) one.get(path).body().get("metadata")).get("uid");

        // The API server refuses this change of a live StatefulSet...
        KubeApi.Response refused = one.mergePatch(path, Map.of("spec", Map.of("volumeClaimTemplates", List.of(Map.of(
                "metadata", Map.of("name", "data"), "spec", Map.of("accessModes", List.of("ReadWriteOnce"),
                        "resources", Map.of("requests", Map.of("storage", "20Gi"))))))), "someone");
        assertThat(refused.code()).isEqualTo(422);
        assertThat(refused.message()).contains("Forbidden");

        // ...so Fleetform plans a replacement, naming the field, and applies it as delete + create.
        ws = workspace(TestFleets.fleet("repl", 1, "1Gi", "    disk = 20Gi at \"/data\"\n", c));
        Workspace.Planned bigger = plan(ws, PlanMode.NORMAL);
        assertThat(changes(bigger)).extracting(ch -> ch.address().value() + " " + ch.action())
                .containsExactly("k8s.one.statefulset.repl/onez1-game REPLACE");
        assertThat(changes(bigger).get(0).reason()).contains("spec.volumeClaimTemplates")
                .contains("deleted and created again");
        events.clear();
        assertThat(apply(ws, bigger, events).succeeded()).as(events.toString()).isTrue();
        KubeApi.Response now = one.get(path);
        assertThat(((Map<?, ?>) now.body().get("metadata")).get("uid")).isNotEqualTo(uid);
        assertThat(Json.write(now.body())).contains("\"storage\":\"20Gi\"");
        assertThat(changes(plan(ws, PlanMode.NORMAL))).as("re-plan after the replacement").isEmpty();
        assertThat(apply(ws, plan(ws, PlanMode.DESTROY), events).succeeded()).as(events.toString()).isTrue();
    }
}
