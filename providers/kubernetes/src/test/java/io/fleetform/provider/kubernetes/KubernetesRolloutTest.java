package io.fleetform.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.apply.Applier;
import io.fleetform.engine.apply.ApplyEvent;
import io.fleetform.engine.apply.ApplyResult;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.plan.PlanMode;
import io.fleetform.engine.plan.ResourceChange;
import io.fleetform.engine.run.Workspace;
import io.fleetform.engine.state.RolloutRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollout stages against a real API server (no kubelet: a workload becomes ready only while a
 * {@link FakeKubelet} writes its status). The reproduced bypass: the canary's workload times out,
 * and running apply again must neither count the live object (already carrying the change) as
 * drift nor roll the other zones; once the canary becomes healthy, the rollout continues.
 */
@ExtendWith(TestClusters.class)
class KubernetesRolloutTest {
    @TempDir
    Path dir;
    private final KubernetesProvider provider = new KubernetesProvider();

    @AfterEach
    void tearDown() {
        provider.close();
    }

    private static String fleet(String memory, TestClusters.Cluster c) {
        return TestFleets.fleet("rollout", 3, memory, "", c)
                + "rollout \"default\" {\n"
                + "  stage \"canary\" { zones = [zone.onez1]  healthy_for = 1s }\n"
                + "  stage \"rest\" { max_parallel = 2  healthy_for = 1s }\n"
                + "}\n";
    }

    private Workspace workspace(String fleet) throws Exception {
        return TestWorkspaces.open(dir, fleet, provider, TestFleets.env(3));
    }

    private Workspace.Planned plan(Workspace ws) throws Exception {
        return TestWorkspaces.plan(ws, PlanMode.NORMAL);
    }

    private ApplyResult apply(Workspace ws, Workspace.Planned planned, List<String> events) throws Exception {
        return ws.apply(planned, new Applier.Options(4, 1, Duration.ofMillis(100), Duration.ofSeconds(5),
                Duration.ofSeconds(10), Duration.ofMillis(200)), e -> {
                    if (e instanceof ApplyEvent.Failed f) {
                        events.add(f.address() + ": " + f.error());
                    } else if (e instanceof ApplyEvent.StageStopped s) {
                        events.add("stopped before " + s.stage() + ": " + s.why());
                    } else if (e instanceof ApplyEvent.StageStarted s) {
                        events.add("stage " + s.stage());
                    }
                }, new AtomicBoolean(), java.util.Optional.empty(), java.util.Set.of());
    }

    private static List<String> changed(Workspace.Planned p) {
        return p.plan().changes().stream().filter(c -> c.action() != Action.NO_OP)
                .map(c -> c.address().value() + " " + c.action()).toList();
    }

    private String memoryOf(KubeApi api, String zone) throws Exception {
        String body = Json.write(api.get(Kind.STATEFULSET.path("rollout", zone + "-game")).body());
        return body.contains("\"memory\":\"2Gi\"") ? "2Gi" : body.contains("\"memory\":\"1Gi\"") ? "1Gi" : body;
    }

    @Test
    void aTimedOutCanaryStaysUnfinishedAndApplyingAgainDoesNotRollTheOtherZones() throws Exception {
        TestClusters.Cluster c = TestClusters.cluster("one");
        List<String> events = new CopyOnWriteArrayList<>();
        try (KubeApi api = new KubeApi(c.kubeconfig(), c.context(), Duration.ofSeconds(10))) {
            Workspace ws = workspace(fleet("1Gi", c));
            try (FakeKubelet kubelet = new FakeKubelet(c, "rollout")) {
                ApplyResult created = apply(ws, plan(ws), events);
                assertThat(created.succeeded()).as(events.toString()).isTrue();
            }
            assertThat(created(ws).status()).isEqualTo(RolloutRecord.Status.HEALTHY);

            // A change; nothing makes the pods ready now: the canary times out.
            ws = workspace(fleet("2Gi", c));
            Workspace.Planned change = plan(ws);
            assertThat(change.plan().rollout().stageOf(new io.fleetform.engine.address.ResourceAddress(
                    "k8s.one.statefulset.rollout/onez1-game"))).isEqualTo("canary");
            assertThat(change.plan().rollout().stageOf(new io.fleetform.engine.address.ResourceAddress(
                    "k8s.one.statefulset.rollout/onez3-game"))).isEqualTo("rest");
            assertThat(change.plan().rollout().disruptionOf(new io.fleetform.engine.address.ResourceAddress(
                    "k8s.one.statefulset.rollout/onez1-game"))).as("a StatefulSet replaces its pods").isEqualTo("recreate");
            events.clear();
            ApplyResult timedOut = apply(ws, change, events);
            assertThat(timedOut.succeeded()).isFalse();
            assertThat(timedOut.stoppedBefore()).isEqualTo("rest");
            assertThat(String.join("\n", events)).contains("did not roll out within 3s");
            assertThat(memoryOf(api, "onez1")).as("the live canary carries the change").isEqualTo("2Gi");
            assertThat(memoryOf(api, "onez2")).isEqualTo("1Gi");
            RolloutRecord failed = created(ws);
            assertThat(failed.status()).isEqualTo(RolloutRecord.Status.FAILED);
            assertThat(failed.stage("canary").orElseThrow().status()).isEqualTo(RolloutRecord.Status.FAILED);
            assertThat(failed.stage("canary").orElseThrow().reason()).contains("did not roll out");
            assertThat(failed.stage("rest").orElseThrow().status()).isEqualTo(RolloutRecord.Status.PENDING);

            // The next plan: the canary's change is unfinished, not drift and not done.
            Workspace.Planned again = plan(ws);
            assertThat(again.plan().drift()).isEmpty();
            assertThat(again.plan().rollout().unfinished()).extracting(a -> a.value())
                    .containsExactly("k8s.one.statefulset.rollout/onez1-game");
            assertThat(changed(again)).contains("k8s.one.statefulset.rollout/onez1-game UPDATE");
            ResourceChange canary = again.plan().changes().stream().filter(ch -> ch.address().value()
                    .equals("k8s.one.statefulset.rollout/onez1-game")).findFirst().orElseThrow();
            assertThat(canary.changes()).extracting(a -> a.name())
                    .contains("spec.template.spec.containers[0].resources.limits");

            // Applying again, as an on-call engineer would: the canary is tried again, the other zones stay.
            events.clear();
            ApplyResult retried = apply(ws, again, events);
            assertThat(retried.succeeded()).isFalse();
            assertThat(retried.stoppedBefore()).isEqualTo("rest");
            assertThat(memoryOf(api, "onez2")).isEqualTo("1Gi");
            assertThat(memoryOf(api, "onez3")).isEqualTo("1Gi");
            assertThat(plan(ws).plan().rollout().unfinished()).hasSize(1);

            // The canary becomes healthy: the rollout goes on from there.
            try (FakeKubelet kubelet = new FakeKubelet(c, "rollout")) {
                events.clear();
                ApplyResult finished = apply(ws, plan(ws), events);
                assertThat(finished.succeeded()).as(events.toString()).isTrue();
                assertThat(events).contains("stage canary", "stage rest");
            }
            assertThat(memoryOf(api, "onez2")).isEqualTo("2Gi");
            assertThat(memoryOf(api, "onez3")).isEqualTo("2Gi");
            RolloutRecord healthy = created(ws);
            assertThat(healthy.status()).isEqualTo(RolloutRecord.Status.HEALTHY);
            assertThat(healthy.unfinished()).isEmpty();
            assertThat(healthy.previous()).containsKey(new io.fleetform.engine.address.ResourceAddress(
                    "k8s.one.statefulset.rollout/onez1-game"));
            assertThat(changed(plan(ws))).isEmpty();
        } finally {
            Workspace ws = workspace(fleet("2Gi", c));
            try (FakeKubelet kubelet = new FakeKubelet(c, "rollout")) {
                Workspace.Outcome<Workspace.Planned> destroy = ws.plan(ws.configuration().value(),
                        new Workspace.PlanSettings(PlanMode.DESTROY, true, List.of(), List.of()));
                apply(ws, destroy.value(), events);
            }
        }
    }

    private RolloutRecord created(Workspace ws) throws Exception {
        return ws.backend().read().orElseThrow().rollout().orElseThrow();
    }
}
