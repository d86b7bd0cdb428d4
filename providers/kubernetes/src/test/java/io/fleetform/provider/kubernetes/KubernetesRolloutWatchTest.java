package io.fleetform.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.apply.Applier;
import io.fleetform.engine.apply.ApplyEvent;
import io.fleetform.engine.apply.ApplyResult;
import io.fleetform.engine.eval.EvalOptions;
import io.fleetform.engine.plan.PlanMode;
import io.fleetform.engine.provider.ProviderRegistry;
import io.fleetform.engine.run.Workspace;
import io.fleetform.engine.state.RolloutRecord;
import io.fleetform.state.local.LocalStateBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
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
 * The rollout wait through its watch ({@link RolloutWatch}) against a real API server (no kubelet or
 * controllers: the test writes the status and pods they would): it still catches a rollout that cannot finish
 * (the stage fails, later stages are held), a workload deleted or replaced while waited for, and a watch the
 * API server ends (its timeoutSeconds, set to 1 s) or answers with 410 Expired (listed again; that answer is
 * injected into the live stream, as a fresh API server's watch cache replays from any version).
 */
@ExtendWith(TestClusters.class)
class KubernetesRolloutWatchTest {
    @TempDir
    Path dir;
    private final KubernetesProvider provider = new KubernetesProvider();
    private TestClusters.Cluster cluster;
    private KubeApi api;
    private String ns;

    @BeforeEach
    void setUp() throws Exception {
        cluster = TestClusters.cluster("one");
        api = new KubeApi(cluster.kubeconfig(), cluster.context(), Duration.ofSeconds(10));
        ns = "watch-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    }

    @AfterEach
    void tearDown() {
        provider.close();
        api.close();
    }

    private String fleet(String memory) {
        return TestFleets.fleet(ns, 3, memory, "", cluster)
                + "rollout \"default\" {\n"
                + "  stage \"canary\" { zones = [zone.onez1]  healthy_for = 1s }\n"
                + "  stage \"rest\" { max_parallel = 2  healthy_for = 1s }\n"
                + "}\n";
    }

    private Workspace workspace(String fleet, Map<String, String> extra) throws Exception {
        Files.writeString(dir.resolve("main.fleet"), fleet);
        Map<String, String> env = new HashMap<>(TestFleets.env());
        env.put("FLEETFORM_K8S_POLL_MS", "500");
        env.putAll(extra);
        return new Workspace(dir, EvalOptions.defaults().withEnvironment(env),
                new LocalStateBackend(dir.resolve(".fleetform/state.json")), new ProviderRegistry(List.of(provider)));
    }

    private Workspace.Planned plan(Workspace ws) throws Exception {
        Workspace.Outcome<Workspace.Configuration> config = ws.configuration();
        assertThat(config.failed()).as(config.diagnostics().toString()).isFalse();
        Workspace.Outcome<Workspace.Planned> planned = ws.plan(config.value(),
                new Workspace.PlanSettings(PlanMode.NORMAL, true, List.of(), List.of()));
        assertThat(planned.failed()).as(planned.diagnostics().toString()).isFalse();
        return planned.value();
    }

    private ApplyResult apply(Workspace ws, List<String> events) throws Exception {
        return ws.apply(plan(ws), new Applier.Options(4, 1, Duration.ofMillis(100), Duration.ofSeconds(5),
                Duration.ofSeconds(20), Duration.ofMillis(200)), e -> {
                    if (e instanceof ApplyEvent.Failed f) {
                        events.add(f.address() + ": " + f.error());
                    } else if (e instanceof ApplyEvent.StageStopped s) {
                        events.add("stopped before " + s.stage() + ": " + s.why());
                    }
                }, new AtomicBoolean(), java.util.Optional.empty(), java.util.Set.of());
    }

    private void destroy(Workspace ws) throws Exception {
        try (FakeKubelet kubelet = new FakeKubelet(cluster, ns)) {
            Workspace.Outcome<Workspace.Planned> destroy = ws.plan(ws.configuration().value(),
                    new Workspace.PlanSettings(PlanMode.DESTROY, true, List.of(), List.of()));
            ws.apply(destroy.value(), Applier.Options.defaults(4), e -> { }, new AtomicBoolean());
        }
    }

    private String memoryOf(String zone) throws Exception {
        String body = Json.write(api.get(Kind.STATEFULSET.path(ns, zone + "-game")).body());
        return body.contains("\"memory\":\"2Gi\"") ? "2Gi" : body.contains("\"memory\":\"1Gi\"") ? "1Gi" : body;
    }

    @Test
    @SuppressWarnings("unchecked")
    void aCrashLoopingCanaryFailsItsStageAtOnceAndTheLaterStagesAreHeld() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        Workspace ws = workspace(fleet("1Gi"), Map.of());
        try {
            try (FakeKubelet kubelet = new FakeKubelet(cluster, ns)) {
                assertThat(apply(ws, events).succeeded()).as(events.toString()).isTrue();
            }
            // The canary's new revision has a pod whose container crash-loops, as a kubelet would report it.
            String sts = Kind.STATEFULSET.path(ns, "onez1-game");
            Map<String, Object> live = api.get(sts).body();
            Map<String, Object> labels = new HashMap<>((Map<String, Object>) ((Map<String, Object>)
                    ((Map<String, Object>) live.get("spec")).get("selector")).get("matchLabels"));
            labels.put("controller-revision-hash", "onez1-game-rev2");
            String pods = "/api/v1/namespaces/" + ns + "/pods";
            KubeApi.Response pod = api.post(pods, Map.of("apiVersion", "v1", "kind", "Pod",
                    "metadata", Map.of("name", "onez1-game-0", "labels", labels),
                    "spec", Map.of("containers", List.of(Map.of("name", "game", "image", "ft/app:1.0")))));
            assertThat(pod.code()).as(pod.message()).isEqualTo(201);
            KubeApi.Response podStatus = api.mergePatch(pods + "/onez1-game-0/status", Map.of("status", Map.of(
                    "phase", "Running", "containerStatuses", List.of(Map.of("name", "game", "image", "ft/app:1.0",
                            "imageID", "", "ready", false, "restartCount", 5, "state", Map.of("waiting", Map.of(
                                    "reason", "CrashLoopBackOff", "message", "back-off 1m20s restarting failed"
                                            + " container")))))), "test");
            assertThat(podStatus.code()).as(podStatus.message()).isEqualTo(200);
            KubeApi.Response status = api.mergePatch(sts + "/status", Map.of("status", Map.of("updateRevision",
                    "onez1-game-rev2", "currentRevision", "onez1-game-rev1")), "test");
            assertThat(status.code()).as(status.message()).isEqualTo(200);

            events.clear();
            ws = workspace(fleet("2Gi"), Map.of("FLEETFORM_K8S_ROLLOUT_TIMEOUT", "120"));
            long started = System.nanoTime();
            ApplyResult result = apply(ws, events);
            assertThat(result.succeeded()).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("not the 120 s timeout")
                    .isLessThan(Duration.ofSeconds(30));
            assertThat(result.stoppedBefore()).isEqualTo("rest");
            assertThat(String.join("\n", events)).contains("does not roll out: pod onez1-game-0 of the new revision"
                    + " onez1-game-rev2: container game is CrashLoopBackOff");
            RolloutRecord record = ws.backend().read().orElseThrow().rollout().orElseThrow();
            assertThat(record.stage("canary").orElseThrow().status()).isEqualTo(RolloutRecord.Status.FAILED);
            assertThat(record.stage("rest").orElseThrow().status()).isEqualTo(RolloutRecord.Status.PENDING);
            assertThat(memoryOf("onez1")).isEqualTo("2Gi");
            assertThat(memoryOf("onez2")).as("held").isEqualTo("1Gi");
            assertThat(memoryOf("onez3")).as("held").isEqualTo("1Gi");
            api.delete(pods + "/onez1-game-0", "Background");
        } finally {
            destroy(ws);
        }
    }

    @Test
    void aWorkloadDeletedWhileWaitedForFailsTheWaitAtOnce() throws Exception {
        assertDeletedOrReplacedWhileWaitedForFailsTheWait(false);
    }

    @Test
    void aWorkloadReplacedWhileWaitedForFailsTheWaitAtOnceInsteadOfJudgingTheNewOne() throws Exception {
        assertDeletedOrReplacedWhileWaitedForFailsTheWait(true);
    }

    @SuppressWarnings("unchecked")
    private void assertDeletedOrReplacedWhileWaitedForFailsTheWait(boolean replace) throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        Workspace ws = workspace(TestFleets.fleet(ns, 1, "1Gi", "", cluster), Map.of("FLEETFORM_K8S_ROLLOUT_TIMEOUT",
                "120"));
        String sts = Kind.STATEFULSET.path(ns, "onez1-game");
        // Nothing makes it ready; once it exists (and is being waited for), someone deletes it.
        CompletableFuture<String> meddler = CompletableFuture.supplyAsync(() -> {
            try (KubeApi other = new KubeApi(cluster.kubeconfig(), cluster.context(), Duration.ofSeconds(10))) {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                KubeApi.Response live = other.get(sts);
                while (!live.ok() && System.nanoTime() < until) {
                    Thread.sleep(100);
                    live = other.get(sts);
                }
                Thread.sleep(1500);
                Map<String, Object> object = live.body();
                other.delete(sts, "Background");
                if (replace) {
                    // the same name and the fleet's labels, made again: another object (uid), whose status says
                    // it is rolled out
                    while (other.get(sts).ok()) {
                        Thread.sleep(50);
                    }
                    Map<String, Object> again = new HashMap<>(object);
                    Map<String, Object> meta = new HashMap<>((Map<String, Object>) object.get("metadata"));
                    meta.keySet().retainAll(List.of("name", "namespace", "labels", "annotations"));
                    again.put("metadata", meta);
                    again.remove("status");
                    KubeApi.Response made = other.post(Kind.STATEFULSET.path(ns, null), again);
                    if (made.code() != 201) {
                        return "POST answered " + made.code() + ": " + made.message();
                    }
                    FakeKubelet.markAllReady(other, Kind.STATEFULSET, ns);
                }
                return "";
            } catch (Exception e) {
                return e.toString();
            }
        });
        try {
            long started = System.nanoTime();
            ApplyResult result = apply(ws, events);
            assertThat(meddler.get(60, TimeUnit.SECONDS)).isEmpty();
            assertThat(result.succeeded()).as(events.toString()).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("not the 120 s timeout")
                    .isLessThan(Duration.ofSeconds(40));
            assertThat(String.join("\n", events)).contains("k8s.one.statefulset." + ns + "/onez1-game",
                    "was deleted while Fleetform waited for its rollout");
        } finally {
            destroy(ws);
        }
    }

    @Test
    void theWaitGoesOnWhenTheServerEndsTheWatchAndListsAgainAfter410Expired() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        // The server ends each watch stream after 1 s.
        Workspace ws = workspace(TestFleets.fleet(ns, 2, "1Gi", "", cluster), Map.of("FLEETFORM_K8S_WATCH_SECONDS",
                "1", "FLEETFORM_K8S_ROLLOUT_TIMEOUT", "120"));
        CompletableFuture<String> later = CompletableFuture.supplyAsync(() -> {
            try {
                RolloutWatch watch = null;
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (watch == null && System.nanoTime() < until) {
                    Thread.sleep(100);
                    watch = RolloutWatch.OPEN.stream().filter(w -> w.namespace().equals(ns)).findFirst()
                            .orElse(null);
                }
                if (watch == null) {
                    return "no watch started";
                }
                // the server ends a stream or three; the waits go on (until three, not a fixed 3.5 s: a loaded
                // machine opens the next stream late)
                long threeStreams = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (watch.streams() < 3 && System.nanoTime() < threeStreams) {
                    Thread.sleep(100);
                }
                int streams = watch.streams();
                // The answer a server gives a watch from a version its cache no longer holds (as the API server
                // answered, verbatim; a fresh one replays from any version, so it cannot be made to say it here):
                // the watch must list again and go on from the list.
                watch.eventForTest(Json.read("{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\","
                        + "\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
                        + "\"too old resource version: 1 (550)\",\"reason\":\"Expired\",\"code\":410}}"));
                long relisted = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (watch.lists() < 2 && System.nanoTime() < relisted) {
                    Thread.sleep(50);
                }
                // only now do the workloads become ready: the waits learn it from the watch after the LIST
                try (FakeKubelet kubelet = new FakeKubelet(cluster, ns)) {
                    long done = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
                    while (System.nanoTime() < done && !finished.get()) {
                        Thread.sleep(100);
                    }
                }
                return "streams before 410: " + streams + ", lists: " + watch.lists()
                        + ", unavailable: " + watch.unavailable().orElse("no");
            } catch (Exception e) {
                return e.toString();
            }
        });
        try {
            ApplyResult result = apply(ws, events);
            finished.set(true);
            assertThat(result.succeeded()).as(events.toString()).isTrue();
            String seen = later.get(60, TimeUnit.SECONDS);
            assertThat(seen).matches("streams before 410: ([3-9]|\\d\\d+), lists: ([2-9]|\\d\\d+), unavailable: no");
        } finally {
            finished.set(true);
            destroy(ws);
        }
    }

    private final AtomicBoolean finished = new AtomicBoolean();
}
