package io.fleetform.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.apply.Applier;
import io.fleetform.engine.apply.ApplyEvent;
import io.fleetform.engine.apply.ApplyResult;
import io.fleetform.engine.apply.Restorer;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.plan.PlanMode;
import io.fleetform.engine.plan.ResourceChange;
import io.fleetform.engine.run.Workspace;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * Partial rollout stages inside one zone on a real API server: a CloneSet of 4 pods, a stage
 * {@code partition = "50%"} then a stage taking the zone. No Kruise controller runs: a stand-in
 * writes the status a controller would (updated pods: replicas minus the partition), and can be held
 * back to show the gate waits for the stage's share of updated pods.
 */
@ExtendWith(TestClusters.class)
class KubernetesPartitionStagesTest {
    private static final String ROLLOUT = "rollout \"default\" {\n"
            + "  stage \"half\" { zones = [zone.k1]  partition = \"50%\"  healthy_for = 1s }\n"
            + "  stage \"rest\" { zones = [zone.k1]  healthy_for = 1s }\n"
            + "}\n";
    private static final String WHOLE = "rollout \"default\" {\n"
            + "  stage \"all\" { zones = [zone.k1]  healthy_for = 1s }\n"
            + "}\n";
    @TempDir
    Path dir;
    private final KubernetesProvider provider = new KubernetesProvider();
    private TestClusters.Cluster cluster;
    private KubeApi api;
    private Controller controller;
    private String ns;

    @BeforeEach
    void setUp() throws Exception {
        cluster = TestClusters.cluster("two");
        api = new KubeApi(cluster.kubeconfig(), cluster.context(), Duration.ofSeconds(10));
        KubernetesCrdWorkloadsTest.installCrd(api, Kind.CLONESET);
        ns = "part-" + Long.toString(System.nanoTime() % 1_000_000, 36);
        controller = new Controller(new KubeApi(cluster.kubeconfig(), cluster.context(), Duration.ofSeconds(10)), ns);
    }

    @AfterEach
    void tearDown() throws Exception {
        controller.close();
        api.close();
        provider.close();
    }

    private String fleet(String image, String rollout) {
        return "fleet \"kp\" { owner = \"ops\" }\n"
                + "image \"app\" { name = \"kp/app\"  tag = \"" + image + "\" }\n"
                + "cluster \"" + cluster.name() + "\" {\n  context = \"" + cluster.context() + "\"\n  namespace = \""
                + ns + "\"\n  kubeconfig = \"" + cluster.kubeconfig() + "\"\n}\n"
                + "idc \"dc\" { region = \"r1\"  target = cluster." + cluster.name() + " }\n"
                + "zones \"k\" from 1 to 1 as z {\n  idc = idc.dc\n"
                + "  service \"game\" {\n    workload = cloneset\n    image = image.app\n    cpu = 1 cores\n"
                + "    memory = 1Gi\n    replicas = 4\n    ports = { game = 7000 }\n  }\n"
                + "  service \"lobby\" {\n    workload = deployment\n    image = image.app\n    cpu = 1 cores\n"
                + "    memory = 1Gi\n    replicas = 2\n    ports = { http = 8080 }\n  }\n}\n"
                + rollout;
    }

    private Workspace workspace(String fleet) throws Exception {
        return workspace(fleet, 4);
    }

    private Workspace workspace(String fleet, int rolloutTimeoutSeconds) throws Exception {
        return TestWorkspaces.open(dir, fleet, provider, TestFleets.env(rolloutTimeoutSeconds));
    }

    private Workspace.Planned plan(Workspace ws) throws Exception {
        return TestWorkspaces.plan(ws, PlanMode.NORMAL);
    }

    private ApplyResult apply(Workspace ws, Workspace.Planned planned, List<String> events) throws Exception {
        return ws.apply(planned, new Applier.Options(2, 1, Duration.ofMillis(100), Duration.ofSeconds(5),
                Duration.ofSeconds(20), Duration.ofMillis(200)), e -> {
                    if (e instanceof ApplyEvent.StageStarted s) {
                        events.add("started " + s.stage() + ", partition now " + partitionIfAny());
                    } else if (e instanceof ApplyEvent.Failed f) {
                        events.add("failed " + f.address() + ": " + f.error());
                    } else if (e instanceof ApplyEvent.StageHealth h) {
                        events.add("health " + h.stage() + ": " + h.detail());
                    } else if (e instanceof ApplyEvent.StageStopped s) {
                        events.add("stopped " + s.stage() + ": " + s.why());
                    }
                }, new AtomicBoolean());
    }

    private static List<ResourceChange> changes(Workspace.Planned p) {
        return p.plan().changes().stream().filter(c -> c.action() != Action.NO_OP).toList();
    }

    private static final String ADDRESS = "k8s.two.cloneset.%s/k1-game";

    @SuppressWarnings("unchecked")
    private Map<String, Object> cloneSet() {
        try {
            KubeApi.Response r = api.get(Kind.CLONESET.path(ns, "k1-game"));
            assertThat(r.code()).as(r.message()).isEqualTo(200);
            return r.body();
        } catch (KubeApi.Unreachable e) {
            throw new AssertionError(e);
        }
    }

    private Object partition() {
        Map<?, ?> strategy = (Map<?, ?>) ((Map<?, ?>) cloneSet().get("spec")).get("updateStrategy");
        return strategy == null ? null : strategy.get("partition");
    }

    /** The partition, or "no object" before the CloneSet is made. */
    private Object partitionIfAny() {
        try {
            return api.get(Kind.CLONESET.path(ns, "k1-game")).code() == 404 ? "no object" : partition();
        } catch (KubeApi.Unreachable e) {
            throw new AssertionError(e);
        }
    }

    private Object partitionAnnotation() {
        Map<?, ?> annotations = (Map<?, ?>) ((Map<?, ?>) cloneSet().get("metadata")).get("annotations");
        return annotations == null ? null : annotations.get(StagePartition.ANNOTATION);
    }

    private String deploymentImage() throws Exception {
        return Json.write(api.get(Kind.DEPLOYMENT.path(ns, "k1-lobby")).body().get("spec"))
                .replaceAll(".*\"image\":\"([^\"]*)\".*", "$1");
    }

    private String image() {
        return Json.write(cloneSet().get("spec")).replaceAll(".*\"image\":\"([^\"]*)\".*", "$1");
    }

    @Test
    void aHalfStageUpdatesHalfThePodsAndTheNextStageTheRest() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        Workspace ws = workspace(fleet("1.0", ROLLOUT));
        assertThat(apply(ws, plan(ws), events).succeeded()).as(events.toString()).isTrue();
        assertThat(partition()).as("a new CloneSet is made whole").isNull();

        ws = workspace(fleet("1.1", ROLLOUT));
        Workspace.Planned update = plan(ws);
        String address = String.format(ADDRESS, ns);
        String lobby = "k8s.two.deployment." + ns + "/k1-lobby";
        assertThat(changes(update)).extracting(c -> c.address().value()).containsExactlyInAnyOrder(address, lobby);
        assertThat(update.plan().rollout().stageOf(new io.fleetform.engine.address.ResourceAddress(address)))
                .as("the plan shows each stage's share").isEqualTo("half (50%) → rest");
        assertThat(update.plan().rollout().stageOf(new io.fleetform.engine.address.ResourceAddress(lobby)))
                .as("a Deployment has no partition").isEqualTo("rest (whole: no partition)");

        events.clear();
        controller.hold.set(true); // the controller has seen the change but updated no pod yet
        Workspace applying = ws;
        CompletableFuture<ApplyResult> result = CompletableFuture.supplyAsync(() -> {
            try {
                return apply(applying, update, events);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        waitFor(() -> Long.valueOf(2).equals(asLong(partition())));
        assertThat(partitionAnnotation()).as("recorded as this fleet's").asString().endsWith("=2");
        assertThat(image()).isEqualTo("kp/app:1.1");
        assertThat(deploymentImage()).as("the Deployment waits for the stage taking the zone").isEqualTo("kp/app:1.0");
        Thread.sleep(1000);
        assertThat(result).as("the gate waits for the stage's 2 updated pods").isNotDone();
        assertThat(events).noneMatch(e -> e.startsWith("started rest"));

        controller.hold.set(false);
        ApplyResult done = result.get(60, TimeUnit.SECONDS);
        assertThat(done.succeeded()).as(events.toString()).isTrue();
        assertThat(events).contains("started half, partition now null", "started rest, partition now 2");
        assertThat(controller.seen).as("what the controller was asked to do, in order")
                .containsSubsequence("partition 2: 0 updated", "partition 2: 2 updated", "partition 0: 4 updated");
        assertThat(partition()).as("the stage taking the zone drops the partition").isNull();
        assertThat(deploymentImage()).isEqualTo("kp/app:1.1");
        assertThat(partitionAnnotation()).isNull();
        assertThat(changes(plan(ws))).as("nothing left to change").isEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void aPartitionSetBySomeoneElseIsAHoldFleetformLeavesAlone() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        Workspace ws = workspace(fleet("1.0", WHOLE));
        assertThat(apply(ws, plan(ws), events).succeeded()).as(events.toString()).isTrue();
        KubeApi.Response set = api.mergePatch(Kind.CLONESET.path(ns, "k1-game"),
                Map.of("spec", Map.of("updateStrategy", Map.of("partition", 3))), "kubectl-edit");
        assertThat(set.code()).as(set.message()).isEqualTo(200);
        assertThat(RolloutHold.of(cloneSet()).ours()).isFalse();

        ws = workspace(fleet("1.1", WHOLE));
        ApplyResult result = apply(ws, plan(ws), events);
        assertThat(result.succeeded()).as(events.toString()).isTrue();
        assertThat(controller.seen).contains("partition 3: 1 updated");
        assertThat(asLong(partition())).as("left alone").isEqualTo(3L);

        // Our own partition, changed by someone else afterwards, is theirs from then on.
        Map<String, Object> ours = new LinkedHashMap<>(cloneSet());
        Map<String, Object> meta = new LinkedHashMap<>((Map<String, Object>) ours.get("metadata"));
        meta.put("annotations", Map.of(StagePartition.ANNOTATION, Ownership.fleetOfLive(ours).orElseThrow() + "=2"));
        ours.put("metadata", meta);
        assertThat(RolloutHold.of(ours).ours()).as("annotation says 2, the object has 3").isFalse();
        meta.put("annotations", Map.of(StagePartition.ANNOTATION, Ownership.fleetOfLive(ours).orElseThrow() + "=3"));
        assertThat(RolloutHold.of(ours).ours()).isTrue();
    }

    @Test
    void abortAfterTheHalfStageRestoresThePreviousTemplateWithNoPartition() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        Workspace ws = workspace(fleet("1.0", ROLLOUT));
        assertThat(apply(ws, plan(ws), events).succeeded()).as(events.toString()).isTrue();

        ws = workspace(fleet("1.1", ROLLOUT));
        controller.hold.set(true); // no pod ever updates: the half stage times out
        ApplyResult failed = apply(ws, plan(ws), events);
        assertThat(failed.succeeded()).isFalse();
        assertThat(failed.stoppedBefore()).isEqualTo("rest");
        assertThat(asLong(partition())).isEqualTo(2L);
        assertThat(image()).isEqualTo("kp/app:1.1");

        controller.hold.set(false);
        Restorer.Restored aborted = ws.restoreRollout(ws.configuration().value(), false, java.util.Optional.empty(),
                events::add);
        assertThat(aborted.ok()).as(events.toString()).isTrue();
        assertThat(image()).isEqualTo("kp/app:1.0");
        assertThat(partition()).as("restored whole").isNull();
        assertThat(partitionAnnotation()).isNull();
    }

    @Test
    @SuppressWarnings("unchecked")
    void aCrashLoopingPodOfTheNewRevisionStopsTheWaitAtOnceWithWhy() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        Workspace ws = workspace(fleet("1.0", WHOLE));
        assertThat(apply(ws, plan(ws), events).succeeded()).as(events.toString()).isTrue();
        // The new revision's pod crash-loops (a pod object with the status a kubelet would write).
        Map<String, Object> labels = new HashMap<>((Map<String, Object>) ((Map<String, Object>)
                ((Map<String, Object>) cloneSet().get("spec")).get("selector")).get("matchLabels"));
        labels.put("controller-revision-hash", "k1-game-rev2");
        String pods = "/api/v1/namespaces/" + ns + "/pods";
        KubeApi.Response pod = api.post(pods, Map.of("apiVersion", "v1", "kind", "Pod",
                "metadata", Map.of("name", "k1-game-x", "labels", labels),
                "spec", Map.of("containers", List.of(Map.of("name", "game", "image", "kp/app:1.1")))));
        assertThat(pod.code()).as(pod.message()).isEqualTo(201);
        KubeApi.Response status = api.mergePatch(pods + "/k1-game-x/status", Map.of("status", Map.of("phase",
                "Running", "containerStatuses", List.of(Map.of("name", "game", "image", "kp/app:1.1", "imageID", "",
                        "ready", false, "restartCount", 4, "state", Map.of("waiting", Map.of("reason",
                                "CrashLoopBackOff", "message", "back-off 40s restarting failed container")))))),
                "test");
        assertThat(status.code()).as(status.message()).isEqualTo(200);
        controller.hold.set(true);
        controller.updateRevision = "k1-game-rev2";

        ws = workspace(fleet("1.1", WHOLE), 120);
        long started = System.nanoTime();
        ApplyResult result = apply(ws, plan(ws), events);
        assertThat(result.succeeded()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("not the 120s timeout")
                .isLessThan(Duration.ofSeconds(30));
        assertThat(String.join("\n", events)).contains("pod k1-game-x of the new revision k1-game-rev2: container "
                + "game is CrashLoopBackOff (back-off 40s restarting failed container), 4 restarts");
    }

    private static Long asLong(Object o) {
        return o instanceof Number n ? n.longValue() : null;
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

    /**
     * Writes the CloneSets' status as Kruise would once the pods are up: all ready, and updated
     * all but the partition; while held, none updated yet. Records what it wrote ("partition 2: 2 updated").
     */
    private static final class Controller implements AutoCloseable {
        final AtomicBoolean hold = new AtomicBoolean();
        final List<String> seen = new CopyOnWriteArrayList<>();
        volatile String updateRevision = "";
        private final KubeApi api;
        private final StandInController rounds;

        Controller(KubeApi api, String namespace) {
            this.api = api;
            this.rounds = new StandInController("stand-in-kruise", api, 100, () -> round(namespace));
        }

        @SuppressWarnings("unchecked")
        private void round(String namespace) throws Exception {
            FakeKubelet.markAllReady(api, Kind.DEPLOYMENT, namespace);
            KubeApi.Response list = api.get(Kind.CLONESET.path(namespace, null));
            if (!list.ok()) {
                return;
            }
            for (Object o : (List<Object>) list.body().getOrDefault("items", List.of())) {
                Map<String, Object> item = (Map<String, Object>) o;
                Map<String, Object> meta = (Map<String, Object>) item.get("metadata");
                Map<String, Object> spec = (Map<String, Object>) item.get("spec");
                long generation = ((Number) meta.get("generation")).longValue();
                long replicas = ((Number) spec.get("replicas")).longValue();
                long partition = RolloutHold.of(item).partition();
                boolean created = generation == 1;
                long updated = hold.get() && !created ? 0 : replicas - partition;
                Map<String, Object> status = new HashMap<>(Map.of("observedGeneration", generation, "replicas",
                        replicas, "readyReplicas", replicas, "updatedReplicas", updated, "updatedReadyReplicas",
                        updated));
                if (!updateRevision.isEmpty()) {
                    status.put("updateRevision", updateRevision);
                }
                String line = "partition " + partition + ": " + updated + " updated";
                if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(line)) {
                    seen.add(line);
                }
                api.mergePatch(Kind.CLONESET.path(namespace, (String) meta.get("name")) + "/status",
                        Map.of("status", status), "stand-in-kruise");
            }
        }

        @Override
        public void close() throws InterruptedException {
            rounds.close();
        }
    }
}
