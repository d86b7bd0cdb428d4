package io.fleetform.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.apply.Applier;
import io.fleetform.engine.apply.ApplyEvent;
import io.fleetform.engine.apply.ApplyResult;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.plan.PlanMode;
import io.fleetform.engine.plan.ResourceChange;
import io.fleetform.engine.run.Workspace;
import io.fleetform.engine.state.State;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A zone renamed ({@code moved}, then {@code state mv}) on a real API server keeps the same
 * objects: no delete, no create, the same uid, the pod template unchanged (generation 1), the
 * {@code fleetform.io/address} annotation re-pointed at the new address, later plans empty.
 */
@ExtendWith(TestClusters.class)
class KubernetesRenameTest {
    @TempDir
    Path root;
    private final KubernetesProvider provider = new KubernetesProvider();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final String suffix = Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20, 1 << 24), 36);
    private final String ns = "mv-" + suffix;
    private TestClusters.Cluster cluster;
    private KubeApi api;

    @BeforeEach
    void setUp() throws Exception {
        cluster = TestClusters.cluster("one");
        api = new KubeApi(cluster.kubeconfig(), cluster.context(), Duration.ofSeconds(10));
        closing.add(new FakeKubelet(cluster, ns));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        api.delete(Kind.NAMESPACE.path(null, ns), "Background");
        api.close();
        provider.close();
    }

    private String fleet(String zone, String extra) {
        return "fleet \"mv\" { owner = \"ops\" }\n"
                + "image \"app\" { name = \"ft/app\"  tag = \"1.0\" }\n"
                + "cluster \"one\" {\n  context = \"" + cluster.context() + "\"\n  namespace = \"" + ns
                + "\"\n  kubeconfig = \"" + cluster.kubeconfig() + "\"\n}\n"
                + "idc \"dc\" { region = \"r1\"  target = cluster.one }\n"
                + "zone \"" + zone + "\" {\n"
                + "  idc = idc.dc\n"
                + "  service \"game\" {\n"
                + "    image    = image.app\n"
                + "    cpu      = 1 cores\n"
                + "    memory   = 1Gi\n"
                + "    replicas = 2\n"
                + "    ports    = { game = 7000 }\n"
                + "    env      = { MODE = \"pvp\", DB_PASS = secret(\"db\") }\n"
                + "    config   = { \"/etc/game/game.conf\" = \"mode=pvp\\n\" }\n"
                + "  }\n}\n" + extra;
    }

    private Workspace workspace(String text) throws Exception {
        Workspace ws = TestWorkspaces.open(Files.createDirectories(root.resolve("mv")), text, provider);
        closing.add(ws);
        return ws;
    }

    private Workspace.Planned plan(Workspace ws) throws Exception {
        return TestWorkspaces.plan(ws, PlanMode.NORMAL);
    }

    private void apply(Workspace ws, Workspace.Planned planned) throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        ApplyResult result = ws.apply(planned, new Applier.Options(4, 2, Duration.ofMillis(200),
                Duration.ofSeconds(5)), e -> {
                    if (e instanceof ApplyEvent.Failed f) {
                        events.add(f.address() + ": " + f.error());
                    }
                }, new AtomicBoolean());
        assertThat(result.succeeded()).as(events.toString()).isTrue();
    }

    private static List<ResourceChange> changes(Workspace.Planned p) {
        return p.plan().changes().stream().filter(c -> c.action() != Action.NO_OP).toList();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> metadata(Kind kind, String name) throws Exception {
        return (Map<String, Object>) api.get(kind.path(ns, name)).body().get("metadata");
    }

    private static String annotation(Map<String, Object> meta) {
        return String.valueOf(((Map<?, ?>) meta.get("annotations")).get(Manifests.ADDRESS_ANNOTATION));
    }

    @Test
    void movedAndStateMvKeepTheSameObjectsUnderTheNewAddresses() throws Exception {
        Workspace ws = workspace(fleet("z4", ""));
        apply(ws, plan(ws));
        Map<String, Object> before = metadata(Kind.STATEFULSET, "z4-game");
        Object uid = before.get("uid");
        Object configUid = metadata(Kind.CONFIGMAP, "z4-game-config").get("uid");
        assertThat(annotation(before)).isEqualTo("k8s.one.statefulset." + ns + "/z4-game");

        // moved: the plan moves the addresses, creates and deletes nothing.
        ws = workspace(fleet("alpha", "moved {\n  from = zone.z4\n  to   = zone.alpha\n}\n"));
        Workspace.Planned moved = plan(ws);
        assertThat(changes(moved)).as(changes(moved).toString()).extracting(ResourceChange::action)
                .allMatch(a -> a == Action.UPDATE);
        assertThat(moved.plan().changes()).extracting(c -> c.address().value())
                .contains("k8s.one.statefulset." + ns + "/alpha-game", "k8s.one.configmap." + ns + "/alpha-game-config",
                        "k8s.one.secret." + ns + "/alpha-game-env", "k8s.one.service." + ns + "/alpha-game")
                .noneMatch(a -> a.contains("z4-game"));
        apply(ws, moved);
        Map<String, Object> after = metadata(Kind.STATEFULSET, "z4-game");
        assertThat(after.get("uid")).isEqualTo(uid);
        assertThat(after.get("generation")).as("the pod template did not change: pods not restarted")
                .isEqualTo(before.get("generation"));
        assertThat(annotation(after)).isEqualTo("k8s.one.statefulset." + ns + "/alpha-game");
        assertThat(metadata(Kind.CONFIGMAP, "z4-game-config").get("uid")).isEqualTo(configUid);
        assertThat(api.get(Kind.STATEFULSET.path(ns, "alpha-game")).code()).isEqualTo(404);
        State state = ws.backend().read().orElseThrow();
        assertThat(state.resources().get(new ResourceAddress("k8s.one.statefulset." + ns + "/alpha-game"))
                .attributes().get("metadata.name")).isEqualTo("z4-game");
        assertThat(changes(plan(workspace(fleet("alpha", ""))))).as("the next plan keeps the name").isEmpty();

        // state mv: the same, without a moved block.
        ws = workspace(fleet("alpha", ""));
        Workspace.StateMoveResult mv = ws.stateMove(ws.backend().read().orElseThrow(), new ResourceAddress("zone.alpha"),
                new ResourceAddress("zone.beta"));
        assertThat(mv.problems()).isEmpty();
        assertThat(mv.renamed()).containsEntry(new ResourceAddress("k8s.one.statefulset." + ns + "/alpha-game"),
                new ResourceAddress("k8s.one.statefulset." + ns + "/beta-game"));
        ws.backend().write(mv.state().nextSerial());
        Map<String, Object> renamed = metadata(Kind.STATEFULSET, "z4-game");
        assertThat(annotation(renamed)).isEqualTo("k8s.one.statefulset." + ns + "/beta-game");
        ws = workspace(fleet("beta", ""));
        Workspace.Planned next = plan(ws);
        assertThat(changes(next)).as(changes(next).toString()).extracting(ResourceChange::action)
                .allMatch(a -> a == Action.UPDATE); // the objects' zone label only
        apply(ws, next);
        assertThat(metadata(Kind.STATEFULSET, "z4-game").get("uid")).isEqualTo(uid);
        assertThat(metadata(Kind.STATEFULSET, "z4-game").get("generation")).isEqualTo(before.get("generation"));
        assertThat(changes(plan(workspace(fleet("beta", ""))))).isEmpty();
    }
}
