package io.fleetform.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.provider.ApplyRequest;
import io.fleetform.engine.provider.ExpandRequest;
import io.fleetform.engine.provider.ImportRequest;
import io.fleetform.engine.provider.ProviderContext;
import io.fleetform.engine.provider.ProviderException;
import io.fleetform.engine.resource.Resource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Rollout waits, errors and import, against a real API server. */
@ExtendWith(TestClusters.class)
class KubernetesApiBehaviourTest {
    @TempDir
    Path dir;
    private final KubernetesProvider provider = new KubernetesProvider();
    private TestClusters.Cluster cluster;
    private KubeApi api;

    @BeforeEach
    void setUp() throws Exception {
        cluster = TestClusters.cluster("one");
        api = new KubeApi(cluster.kubeconfig(), cluster.context(), Duration.ofSeconds(10));
    }

    @AfterEach
    void tearDown() {
        api.close();
        provider.close();
    }

    private Map<String, Resource> expand(String namespace, String extra, Map<String, String> env) throws Exception {
        Fleet fleet = TestFleets.load(dir, TestFleets.fleet(namespace, 1, "1Gi", extra, cluster));
        Map<String, Resource> byAddress = new HashMap<>();
        ProviderContext context = new ProviderContext(dir, env);
        var response = provider.expand(new ExpandRequest(fleet, java.util.Set.of("one"), context));
        // at most the word that the cluster does not enforce SR-IOV IRQ binding (irq = local is the default)
        assertThat(response.diagnostics()).allSatisfy(d -> assertThat(d.code()).isEqualTo("k8s-not-enforced"));
        response.resources().forEach(r -> byAddress.put(r.address().value(), r));
        return byAddress;
    }

    private void create(Resource r, Map<String, String> env, List<String> progress) throws ProviderException {
        provider.apply(new ApplyRequest(Action.CREATE, Optional.empty(), Optional.of(r), new ProviderContext(dir, env),
                progress::add));
    }

    @Test
    void applyWaitsForTheRolloutAndReportsProgress() throws Exception {
        Map<String, String> env = TestFleets.env();
        Map<String, Resource> rs = expand("roll", "", env);
        create(rs.get("k8s.one.namespace.roll"), env, new CopyOnWriteArrayList<>());
        List<String> progress = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> applied = CompletableFuture.runAsync(() -> {
            try {
                create(rs.get("k8s.one.statefulset.roll/onez1-game"), env, progress);
            } catch (ProviderException e) {
                throw new RuntimeException(e);
            }
        });
        String path = Kind.STATEFULSET.path("roll", "onez1-game");
        long until = System.currentTimeMillis() + 60_000;
        while ((api.get(path).code() != 200 || progress.isEmpty()) && System.currentTimeMillis() < until) {
            Thread.sleep(50); // until the provider has polled once and reported that it is waiting
        }
        FakeKubelet.writeStatus(api, Kind.STATEFULSET, "roll", "onez1-game", 1, 2, 1);
        until = System.currentTimeMillis() + 60_000;
        while (!progress.contains("1/2 replicas ready, 2 updated") && System.currentTimeMillis() < until) {
            Thread.sleep(50);
        }
        assertThat(applied).isNotDone();
        FakeKubelet.writeStatus(api, Kind.STATEFULSET, "roll", "onez1-game", 1, 2, 2);
        applied.get(60, TimeUnit.SECONDS);
        assertThat(progress).contains("1/2 replicas ready, 2 updated");
        assertThat(progress.get(0)).startsWith("waiting for the controller to see generation 1");

        // Nobody makes it ready: a clear timeout.
        Map<String, String> quick = new HashMap<>(env);
        quick.put("FLEETFORM_K8S_ROLLOUT_TIMEOUT", "1");
        Map<String, Resource> changed = expand("roll", "    workload = deployment\n", quick);
        assertThatThrownBy(() -> create(changed.get("k8s.one.deployment.roll/onez1-game"), quick,
                new CopyOnWriteArrayList<>()))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("k8s.one.deployment.roll/onez1-game")
                .hasMessageContaining("Deployment roll/onez1-game (apps/v1)")
                .hasMessageContaining("did not roll out within 1s")
                .hasMessageContaining("waiting for the controller to see generation 1");
    }

    @Test
    void errorsNameTheObjectTheCallAndTheApiAnswer() throws Exception {
        Map<String, String> env = TestFleets.env();
        Map<String, Resource> rs = expand("errs", "", env);
        // The namespace does not exist yet: 404 from the API, permanent.
        Resource cm = rs.get("k8s.one.configmap.errs/onez1-game-config");
        assertThatThrownBy(() -> create(cm, env, List.of()))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("k8s.one.configmap.errs/onez1-game-config")
                .hasMessageContaining("server-side apply (PATCH /api/v1/namespaces/errs/configmaps/onez1-game-config")
                .hasMessageContaining("HTTP 404 NotFound: namespaces \"errs\" not found")
                .satisfies(e -> assertThat(((ProviderException) e).isTransient()).isFalse());
        create(rs.get("k8s.one.namespace.errs"), env, List.of());

        // A schema error is a 500 on 1.20 but not worth retrying.
        Resource sts = rs.get("k8s.one.statefulset.errs/onez1-game");
        Map<String, Object> bad = new HashMap<>(sts.attributes());
        bad.put("spec.replicas", "two");
        Resource broken = new Resource(sts.address(), sts.type(), sts.provider(), bad, sts.sensitive(), sts.dependsOn(),
                sts.lifecycle());
        assertThatThrownBy(() -> create(broken, env, List.of()))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("StatefulSet errs/onez1-game")
                .hasMessageContaining("HTTP 500")
                .hasMessageContaining("expected numeric")
                .satisfies(e -> assertThat(((ProviderException) e).isTransient()).isFalse());

        // Kinds from CRDs the cluster does not have: refused, naming what to install.
        Map<String, Resource> kruise = expand("errs", "    workload = cloneset\n", env);
        assertThatThrownBy(() -> create(kruise.get("k8s.one.cloneset.errs/onez1-game"), env, List.of()))
                .hasMessageContaining("the cluster does not serve CloneSet (apps.kruise.io/v1alpha1)")
                .hasMessageContaining("install OpenKruise")
                .hasMessageContaining("HTTP 404");
        Map<String, Resource> sriov = expand("errs", "    network sriov { vlan = 120 }\n", env);
        assertThatThrownBy(() -> create(sriov.get("k8s.one.networkattachmentdefinition.errs/onez1-game-sriov"), env,
                List.of()))
                .hasMessageContaining("does not serve NetworkAttachmentDefinition (k8s.cni.cncf.io/v1)")
                .hasMessageContaining("install Multus");

        // An unreachable API server is transient.
        String kubeconfig = java.nio.file.Files.readString(cluster.kubeconfig())
                .replaceAll("server: https://127.0.0.1:[0-9]+", "server: https://127.0.0.1:1");
        Path dead = dir.resolve("dead-kubeconfig");
        java.nio.file.Files.writeString(dead, kubeconfig);
        Map<String, Object> deadAttributes = new HashMap<>(cm.attributes());
        deadAttributes.put(KubernetesProvider.KUBECONFIG, dead.toString());
        Resource unreachable = new Resource(cm.address(), cm.type(), cm.provider(), deadAttributes, cm.sensitive(),
                cm.dependsOn(), cm.lifecycle());
        assertThatThrownBy(() -> create(unreachable, env, List.of()))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("k8s.one.configmap.errs/onez1-game-config")
                .satisfies(e -> assertThat(((ProviderException) e).isTransient()).isTrue());
    }

    @Test
    void importAdoptsALiveObjectByName() throws Exception {
        Map<String, String> env = TestFleets.env();
        Map<String, Resource> rs = expand("imp", "", env);
        create(rs.get("k8s.one.namespace.imp"), env, List.of());
        Resource cm = rs.get("k8s.one.configmap.imp/onez1-game-config");
        KubeApi.Response made = api.apply(Kind.CONFIGMAP.path("imp", "onez1-game-config"),
                KubernetesProvider.manifest(cm.attributes()), "someone-else", false);
        assertThat(made.code()).isEqualTo(201);
        var imported = provider.importResource(new ImportRequest(cm.address(), cm.type(), "imp/onez1-game-config",
                new ProviderContext(dir, env)));
        assertThat(imported.attributes()).contains(cm.attributes());
        var missing = provider.importResource(new ImportRequest(new ResourceAddress("k8s.one.configmap.imp/nope"),
                cm.type(), "nope", new ProviderContext(dir, env)));
        assertThat(missing.attributes()).isEmpty();
    }
}
