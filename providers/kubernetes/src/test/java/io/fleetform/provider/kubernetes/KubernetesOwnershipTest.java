package io.fleetform.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.apply.Applier;
import io.fleetform.engine.apply.ApplyEvent;
import io.fleetform.engine.apply.ApplyResult;
import io.fleetform.engine.eval.EvalOptions;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.plan.AttributeChange;
import io.fleetform.engine.plan.Drift;
import io.fleetform.engine.plan.Plan;
import io.fleetform.engine.plan.PlanCodec;
import io.fleetform.engine.plan.PlanMode;
import io.fleetform.engine.plan.ResourceChange;
import io.fleetform.engine.provider.ProviderRegistry;
import io.fleetform.engine.run.Workspace;
import io.fleetform.engine.state.State;
import io.fleetform.state.local.LocalStateBackend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fleetform owns exactly what it made, on a real API server: destroy leaves foreign objects,
 * data PVCs and the namespace holding them; a namespace that existed before is used, never
 * adopted or deleted; two fleets in one namespace destroy only their own; a name another fleet
 * holds is a plan error; an object made but never recorded is adopted; a field another manager
 * took is planned as a conflict, left alone, and taken over only with --force-conflicts;
 * Secret drift by hash; a rotated secret rolls the pods; no secret value in plan files, state
 * or annotations.
 */
@ExtendWith(TestClusters.class)
class KubernetesOwnershipTest {
    @TempDir
    Path root;
    private final KubernetesProvider provider = new KubernetesProvider();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final List<String> namespaces = new ArrayList<>();
    private final String suffix = Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20, 1 << 24), 36);
    private TestClusters.Cluster cluster;
    private KubeApi api;

    @BeforeEach
    void setUp() throws Exception {
        cluster = TestClusters.cluster("one");
        api = new KubeApi(cluster.kubeconfig(), cluster.context(), Duration.ofSeconds(10));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        for (String ns : namespaces) {
            api.delete(Kind.NAMESPACE.path(null, ns), "Background");
        }
        api.close();
        provider.close();
    }

    // ---------------------------------------------------------------- helpers

    /** A fleet named {@code fleet} with zones {@code PREFIX1..PREFIXn} in {@code namespace}. */
    private String fleet(String fleet, String namespace, String zonePrefix, int zones, String extra) {
        return "fleet \"" + fleet + "\" { owner = \"ops\" }\n"
                + "image \"app\" { name = \"ft/app\"  tag = \"1.0\" }\n"
                + "cluster \"one\" {\n  context = \"" + cluster.context() + "\"\n  namespace = \"" + namespace
                + "\"\n  kubeconfig = \"" + cluster.kubeconfig() + "\"\n}\n"
                + "idc \"dc\" { region = \"r1\"  target = cluster.one }\n"
                + "zones \"" + zonePrefix + "\" from 1 to " + zones + " as z {\n"
                + "  idc = idc.dc\n"
                + "  service \"game\" {\n"
                + "    image    = image.app\n"
                + "    cpu      = 1 cores\n"
                + "    memory   = 1Gi\n"
                + "    replicas = 2\n"
                + "    ports    = { game = 7000 }\n"
                + "    env      = { ZONE = z.name, DB_PASS = secret(\"db\") }\n"
                + extra
                + "  }\n}\n";
    }

    private Workspace workspace(String name, String text, String secret) throws Exception {
        Path dir = root.resolve(name);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("main.fleet"), text);
        Map<String, String> env = new HashMap<>(TestFleets.env());
        env.put("FLEETFORM_SECRET_DB", secret);
        return new Workspace(dir, EvalOptions.defaults().withEnvironment(env),
                new LocalStateBackend(dir.resolve(".fleetform/state.json")), new ProviderRegistry(List.of(provider)));
    }

    private Workspace.Outcome<Workspace.Planned> tryPlan(Workspace ws, PlanMode mode, boolean force) throws Exception {
        Workspace.Outcome<Workspace.Configuration> config = ws.configuration();
        assertThat(config.failed()).as(config.diagnostics().toString()).isFalse();
        return ws.plan(config.value(), new Workspace.PlanSettings(mode, true, List.of(), List.of(), force));
    }

    private Workspace.Planned plan(Workspace ws, PlanMode mode, boolean force) throws Exception {
        Workspace.Outcome<Workspace.Planned> planned = tryPlan(ws, mode, force);
        assertThat(planned.failed()).as(planned.diagnostics().toString()).isFalse();
        return planned.value();
    }

    private Workspace.Planned plan(Workspace ws, PlanMode mode) throws Exception {
        return plan(ws, mode, false);
    }

    private ApplyResult apply(Workspace ws, Workspace.Planned planned) throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        ApplyResult result = ws.apply(planned, new Applier.Options(4, 2, Duration.ofMillis(200), Duration.ofSeconds(5)),
                e -> {
                    if (e instanceof ApplyEvent.Failed f) {
                        events.add(f.address() + ": " + f.error());
                    }
                }, new AtomicBoolean());
        assertThat(result.succeeded()).as(events.toString()).isTrue();
        return result;
    }

    private static List<ResourceChange> changes(Workspace.Planned p) {
        return p.plan().changes().stream().filter(c -> c.action() != Action.NO_OP).toList();
    }

    private static ResourceChange change(Workspace.Planned p, String address) {
        return p.plan().changes().stream().filter(c -> c.address().value().equals(address)).findFirst()
                .orElseThrow(() -> new AssertionError("no change for " + address + " in " + p.plan().changes()));
    }

    private String namespace(String base) {
        String ns = base + "-" + suffix;
        namespaces.add(ns);
        return ns;
    }

    private static String pvc(String namespace, String name) {
        return "/api/v1/namespaces/" + namespace + "/persistentvolumeclaims/" + name;
    }

    private void make(Kind kind, String namespace, String name, Map<String, Object> labels, Map<String, Object> more)
            throws Exception {
        make(kind.apiVersion, kind.kind, kind.path(namespace, name), namespace, name, labels, more);
    }

    private void make(String apiVersion, String kind, String path, String namespace, String name,
                      Map<String, Object> labels, Map<String, Object> more) throws Exception {
        Map<String, Object> meta = new HashMap<>(Map.of("name", name));
        if (namespace != null) {
            meta.put("namespace", namespace);
        }
        meta.put("labels", labels);
        Map<String, Object> object = new HashMap<>(Map.of("apiVersion", apiVersion, "kind", kind, "metadata", meta));
        object.putAll(more);
        KubeApi.Response r = api.apply(path, object, "team-tool", false);
        assertThat(r.ok()).as(r.code() + " " + r.message()).isTrue();
    }

    private int code(String path) throws Exception {
        return api.get(path).code();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> metadata(String path) throws Exception {
        return (Map<String, Object>) api.get(path).body().get("metadata");
    }

    // ------------------------------------------------------------------ tests

    @Test
    void destroyLeavesForeignObjectsDataPvcsAndTheNamespaceHoldingThem() throws Exception {
        String ns = namespace("keep");
        closing.add(new FakeKubelet(cluster, ns));
        Workspace ws = workspace("keep", fleet("keep", ns, "k", 1, "    disk = 10Gi at \"/data\"\n"), "pw-1");
        Workspace.Planned first = plan(ws, PlanMode.NORMAL);
        assertThat(change(first, "k8s.one.namespace." + ns).action()).isEqualTo(Action.CREATE);
        apply(ws, first);
        assertThat(metadata(Kind.NAMESPACE.path(null, ns)).toString()).contains("fleetform.io/fleet=keep")
                .contains("fleetform.io/address=k8s.one.namespace." + ns);

        // A team's ConfigMap and Secret, and the data PVC the StatefulSet controller would make
        // (it copies the selector's labels onto it).
        make(Kind.CONFIGMAP, ns, "team-config", Map.of("team", "sre"), Map.of("data", Map.of("a", "b")));
        make(Kind.SECRET, ns, "team-secret", Map.of(), Map.of("data", Map.of("k", "dmFsdWU=")));
        make("v1", "PersistentVolumeClaim", pvc(ns, "data-k1-game-0"), ns, "data-k1-game-0", Map.of("app.kubernetes.io/instance", "k1-game",
                "fleetform.io/fleet", "keep"), Map.of("spec", Map.of("accessModes", List.of("ReadWriteOnce"),
                "resources", Map.of("requests", Map.of("storage", "10Gi")))));

        Workspace.Planned destroy = plan(ws, PlanMode.DESTROY);
        ResourceChange namespaceChange = change(destroy, "k8s.one.namespace." + ns);
        assertThat(namespaceChange.action()).isEqualTo(Action.FORGET);
        assertThat(namespaceChange.reason()).contains("ConfigMap team-config").contains("Secret team-secret")
                .contains("PersistentVolumeClaim data-k1-game-0").contains("the namespace stays");
        ResourceChange sts = change(destroy, "k8s.one.statefulset." + ns + "/k1-game");
        assertThat(sts.action()).isEqualTo(Action.DELETE);
        assertThat(sts.reason()).contains("data PVCs stay").contains("data-k1-game-0");
        assertThat(destroy.plan().count(Action.DELETE)).isEqualTo(3);

        apply(ws, destroy);
        assertThat(code(Kind.STATEFULSET.path(ns, "k1-game"))).isEqualTo(404);
        assertThat(code(Kind.SECRET.path(ns, "k1-game-env"))).isEqualTo(404);
        assertThat(code(Kind.SERVICE.path(ns, "k1-game"))).isEqualTo(404);
        assertThat(code(Kind.NAMESPACE.path(null, ns))).isEqualTo(200);
        assertThat(code(Kind.CONFIGMAP.path(ns, "team-config"))).isEqualTo(200);
        assertThat(code(Kind.SECRET.path(ns, "team-secret"))).isEqualTo(200);
        assertThat(code(pvc(ns, "data-k1-game-0"))).isEqualTo(200);
        assertThat(ws.backend().read().orElseThrow().resources()).isEmpty();
    }

    @Test
    void aNamespaceThatExistedBeforeIsUsedButNeverAdoptedOrDeleted() throws Exception {
        String ns = namespace("pre");
        closing.add(new FakeKubelet(cluster, ns));
        make(Kind.NAMESPACE, null, ns, Map.of("team", "platform"), Map.of());
        Workspace ws = workspace("pre", fleet("pre", ns, "p", 1, ""), "pw-1");
        Workspace.Planned first = plan(ws, PlanMode.NORMAL);
        assertThat(change(first, "k8s.one.namespace." + ns).action()).isEqualTo(Action.NO_OP);
        assertThat(first.plan().warnings()).anySatisfy(w -> assertThat(w).contains("k8s.one.namespace." + ns)
                .contains("was not made by this fleet").contains("never changes or deletes it"));
        apply(ws, first);
        assertThat(metadata(Kind.NAMESPACE.path(null, ns)).toString()).doesNotContain("fleetform.io");
        assertThat(ws.backend().read().orElseThrow().resources().keySet()).extracting(ResourceAddress::value)
                .doesNotContain("k8s.one.namespace." + ns).contains("k8s.one.statefulset." + ns + "/p1-game");

        Workspace.Planned destroy = plan(ws, PlanMode.DESTROY);
        assertThat(destroy.plan().changes()).extracting(c -> c.address().value())
                .doesNotContain("k8s.one.namespace." + ns);
        apply(ws, destroy);
        assertThat(code(Kind.STATEFULSET.path(ns, "p1-game"))).isEqualTo(404);
        assertThat(code(Kind.NAMESPACE.path(null, ns))).isEqualTo(200);
    }

    @Test
    void twoFleetsInOneNamespaceEachDestroyOnlyTheirOwnAndATakenNameIsAPlanError() throws Exception {
        String ns = namespace("shared");
        closing.add(new FakeKubelet(cluster, ns));
        Workspace alpha = workspace("alpha", fleet("alpha", ns, "a", 1, ""), "pw-a");
        Workspace beta = workspace("beta", fleet("beta", ns, "b", 1, ""), "pw-b");
        apply(alpha, plan(alpha, PlanMode.NORMAL));
        Workspace.Planned betaFirst = plan(beta, PlanMode.NORMAL);
        assertThat(change(betaFirst, "k8s.one.namespace." + ns).action()).as("alpha's namespace")
                .isEqualTo(Action.NO_OP);
        apply(beta, betaFirst);

        // A third fleet whose zone names collide with alpha's: a plan error naming the object and whose it is.
        Workspace gamma = workspace("gamma", fleet("gamma", ns, "a", 1, ""), "pw-g");
        Workspace.Outcome<Workspace.Planned> taken = tryPlan(gamma, PlanMode.NORMAL, false);
        assertThat(taken.failed()).isTrue();
        assertThat(taken.diagnostics()).filteredOn(Diagnostic::isError).extracting(Diagnostic::message)
                .anySatisfy(m -> assertThat(m).contains("k8s.one.statefulset." + ns + "/a1-game")
                        .contains("StatefulSet " + ns + "/a1-game").contains("is not this fleet's")
                        .contains("fleetform.io/fleet=alpha"));

        // Alpha goes first: its objects go, beta's stay, and so does the namespace (it holds beta's).
        Workspace.Planned alphaDestroy = plan(alpha, PlanMode.DESTROY);
        assertThat(change(alphaDestroy, "k8s.one.namespace." + ns).action()).isEqualTo(Action.FORGET);
        assertThat(change(alphaDestroy, "k8s.one.namespace." + ns).reason()).contains("StatefulSet b1-game");
        apply(alpha, alphaDestroy);
        assertThat(code(Kind.STATEFULSET.path(ns, "a1-game"))).isEqualTo(404);
        assertThat(code(Kind.SERVICE.path(ns, "a1-game"))).isEqualTo(404);
        assertThat(code(Kind.STATEFULSET.path(ns, "b1-game"))).isEqualTo(200);
        assertThat(code(Kind.SECRET.path(ns, "b1-game-env"))).isEqualTo(200);
        assertThat(code(Kind.NAMESPACE.path(null, ns))).isEqualTo(200);
        assertThat(changes(plan(beta, PlanMode.NORMAL))).as("beta untouched").isEmpty();

        apply(beta, plan(beta, PlanMode.DESTROY));
        assertThat(code(Kind.STATEFULSET.path(ns, "b1-game"))).isEqualTo(404);
    }

    @Test
    void twoCopiesOfOneFleetWithTheirOwnStatesAreTwoOwners() throws Exception {
        // The same fleet name in one namespace, two folders with their own states (another lineage each).
        String ns = namespace("twins");
        closing.add(new FakeKubelet(cluster, ns));
        Workspace first = workspace("first", fleet("twin", ns, "t", 1, ""), "pw-1");
        apply(first, plan(first, PlanMode.NORMAL));

        Workspace copy = workspace("copy", fleet("twin", ns, "t", 1, ""), "pw-1");
        Workspace.Outcome<Workspace.Planned> taken = tryPlan(copy, PlanMode.NORMAL, false);
        assertThat(taken.failed()).as("the copy never adopts the first's objects").isTrue();
        assertThat(taken.diagnostics()).filteredOn(Diagnostic::isError).extracting(Diagnostic::message)
                .anySatisfy(m -> assertThat(m).contains("StatefulSet " + ns + "/t1-game")
                        .contains("is not this fleet's").contains("another state's"));

        // The copy with zones of its own: the first's destroy keeps them, and the namespace holding them.
        Workspace other = workspace("other", fleet("twin", ns, "u", 1, ""), "pw-2");
        apply(other, plan(other, PlanMode.NORMAL));
        Workspace.Planned firstDestroy = plan(first, PlanMode.DESTROY);
        assertThat(change(firstDestroy, "k8s.one.namespace." + ns).action()).isEqualTo(Action.FORGET);
        apply(first, firstDestroy);
        assertThat(code(Kind.STATEFULSET.path(ns, "t1-game"))).isEqualTo(404);
        assertThat(code(Kind.STATEFULSET.path(ns, "u1-game"))).isEqualTo(200);
        assertThat(code(Kind.SECRET.path(ns, "u1-game-env"))).isEqualTo(200);
        assertThat(changes(plan(other, PlanMode.NORMAL))).as("the other copy untouched").isEmpty();
        apply(other, plan(other, PlanMode.DESTROY));
        assertThat(code(Kind.STATEFULSET.path(ns, "u1-game"))).isEqualTo(404);
    }

    @Test
    void labelsCopiedOntoAUsersObjectsNeverMakeThemTheFleets() throws Exception {
        String ns = namespace("copied");
        closing.add(new FakeKubelet(cluster, ns));
        Workspace ws = workspace("copied", fleet("copied", ns, "c", 1, ""), "pw-1");
        apply(ws, plan(ws, PlanMode.NORMAL));
        // A user's objects with the fleet's label (and even an address) copied from one of the fleet's.
        Map<String, Object> copied = Map.of("fleetform.io/fleet", "copied");
        make(Kind.CONFIGMAP, ns, "team-notes", copied, Map.of("data", Map.of("a", "b")));
        make(Kind.SERVICE, ns, "c9-game", copied, Map.of("spec", Map.of("clusterIP", "None", "ports",
                List.of(Map.of("name", "game", "port", 7000, "protocol", "TCP")))));
        api.mergePatch(Kind.SERVICE.path(ns, "c9-game"), Map.of("metadata", Map.of("annotations",
                Map.of("fleetform.io/address", "k8s.one.service." + ns + "/c9-game"))), "team-tool");

        Workspace grown = workspace("copied", fleet("copied", ns, "c", 9, ""), "pw-1");
        Workspace.Outcome<Workspace.Planned> taken = tryPlan(grown, PlanMode.NORMAL, false);
        assertThat(taken.failed()).as("the user's Service is not adopted").isTrue();
        assertThat(taken.diagnostics()).filteredOn(Diagnostic::isError).extracting(Diagnostic::message)
                .anySatisfy(m -> assertThat(m).contains("Service " + ns + "/c9-game").contains("is not this fleet's")
                        .contains("labels copied"));

        Workspace.Planned destroy = plan(ws, PlanMode.DESTROY);
        assertThat(change(destroy, "k8s.one.namespace." + ns).action()).isEqualTo(Action.FORGET);
        assertThat(change(destroy, "k8s.one.namespace." + ns).reason()).contains("ConfigMap team-notes")
                .contains("Service c9-game");
        apply(ws, destroy);
        assertThat(code(Kind.CONFIGMAP.path(ns, "team-notes"))).isEqualTo(200);
        assertThat(code(Kind.SERVICE.path(ns, "c9-game"))).isEqualTo(200);
        assertThat(code(Kind.NAMESPACE.path(null, ns))).isEqualTo(200);
    }

    @Test
    void anObjectMadeButNeverRecordedIsAdoptedNotMadeTwice() throws Exception {
        String ns = namespace("crash");
        closing.add(new FakeKubelet(cluster, ns));
        Workspace ws = workspace("crash", fleet("crash", ns, "c", 1, ""), "pw-1");
        apply(ws, plan(ws, PlanMode.NORMAL));
        Object uid = metadata(Kind.STATEFULSET.path(ns, "c1-game")).get("uid");

        // As if apply had stopped after creating them and before recording them.
        String nsAddress = "k8s.one.namespace." + ns;
        String stsAddress = "k8s.one.statefulset." + ns + "/c1-game";
        String secretAddress = "k8s.one.secret." + ns + "/c1-game-env";
        State state = ws.backend().read().orElseThrow();
        ws.backend().write(state.without(new ResourceAddress(nsAddress)).without(new ResourceAddress(stsAddress))
                .without(new ResourceAddress(secretAddress)).nextSerial());

        Workspace.Planned again = plan(ws, PlanMode.NORMAL);
        assertThat(again.plan().count(Action.CREATE)).isZero();
        for (String address : List.of(nsAddress, stsAddress, secretAddress)) {
            assertThat(change(again, address).action()).as(address).isEqualTo(Action.UPDATE);
            assertThat(change(again, address).reason()).startsWith("adopted: ")
                    .contains("exists with this fleet's identity but is not in the state");
        }
        assertThat(change(again, stsAddress).changes()).as("nothing differs").isEmpty();
        assertThat(PlanCodec.encode(again.plan())).asString(StandardCharsets.UTF_8).doesNotContain("pw-1")
                .doesNotContain(Base64.getEncoder().encodeToString("pw-1".getBytes(StandardCharsets.UTF_8)));
        apply(ws, again);
        assertThat(metadata(Kind.STATEFULSET.path(ns, "c1-game")).get("uid")).isEqualTo(uid);
        assertThat(ws.backend().read().orElseThrow().resources().keySet()).extracting(ResourceAddress::value)
                .contains(nsAddress, stsAddress, secretAddress);
        assertThat(changes(plan(ws, PlanMode.NORMAL))).isEmpty();

        // The same crash, then destroy: what was made but not recorded goes too, nothing is left behind.
        state = ws.backend().read().orElseThrow();
        ws.backend().write(state.without(new ResourceAddress(stsAddress)).nextSerial());
        Workspace.Planned destroy = plan(ws, PlanMode.DESTROY);
        assertThat(change(destroy, stsAddress).action()).isEqualTo(Action.DELETE);
        assertThat(change(destroy, stsAddress).reason()).contains("adopted");
        apply(ws, destroy);
        assertThat(code(Kind.STATEFULSET.path(ns, "c1-game"))).isEqualTo(404);
        assertThat(code(Kind.NAMESPACE.path(null, ns))).isEqualTo(404);
    }

    @Test
    void aFieldAnotherManagerTookIsAConflictLeftAloneUntilForceConflicts() throws Exception {
        String ns = namespace("conflict");
        closing.add(new FakeKubelet(cluster, ns));
        Workspace ws = workspace("conflict", fleet("conflict", ns, "f", 1, ""), "pw-1");
        apply(ws, plan(ws, PlanMode.NORMAL));
        String sts = "k8s.one.statefulset." + ns + "/f1-game";
        KubeApi.Response edit = api.mergePatch(Kind.STATEFULSET.path(ns, "f1-game"),
                Map.of("spec", Map.of("replicas", 4)), "kubectl-edit");
        assertThat(edit.ok()).as(edit.message()).isTrue();

        Workspace.Planned conflicted = plan(ws, PlanMode.NORMAL);
        assertThat(changes(conflicted)).extracting(c -> c.address().value() + " " + c.action())
                .containsExactly(sts + " CONFLICT");
        assertThat(change(conflicted, sts).reason()).contains(".spec.replicas (owned by \"kubectl-edit\")")
                .contains("--force-conflicts");
        apply(ws, conflicted);
        assertThat(api.get(Kind.STATEFULSET.path(ns, "f1-game")).body().get("spec").toString())
                .as("left alone").contains("replicas=4");

        // Taken over when asked, from a saved plan, exactly as planned.
        Workspace.Planned forced = plan(ws, PlanMode.NORMAL, true);
        assertThat(changes(forced)).extracting(c -> c.address().value() + " " + c.action())
                .containsExactly(sts + " TAKE_OVER");
        assertThat(change(forced, sts).reason()).contains("takes over .spec.replicas (owned by \"kubectl-edit\")");
        Plan saved = PlanCodec.decode(PlanCodec.encode(forced.plan()), "plan.json");
        Workspace.Outcome<Workspace.Configuration> config = ws.configuration();
        State stored = ws.backend().read().orElseThrow();
        assertThat(ws.checkSavedPlan(saved, config.value(), stored)).isEmpty();
        apply(ws, new Workspace.Planned(saved, config.value(), ws.movedState(config.value(), stored)));
        Map<String, Object> live = api.get(Kind.STATEFULSET.path(ns, "f1-game")).body();
        assertThat(live.get("spec").toString()).contains("replicas=2");
        assertThat(Json.write(live.get("metadata"))).contains("\"manager\":\"fleetform\"");
        assertThat(changes(plan(ws, PlanMode.NORMAL))).as("re-plan after the take-over").isEmpty();
        apply(ws, plan(ws, PlanMode.DESTROY));
    }

    @Test
    void secretDriftIsSeenByHashAndARotatedSecretRollsThePods() throws Exception {
        String ns = namespace("secret");
        closing.add(new FakeKubelet(cluster, ns));
        String text = fleet("secret", ns, "s", 1, "");
        Workspace ws = workspace("secret", text, "first-Pa55word");
        apply(ws, plan(ws, PlanMode.NORMAL));
        String secret = "k8s.one.secret." + ns + "/s1-game-env";
        String sts = "k8s.one.statefulset." + ns + "/s1-game";
        String hashBefore = podAnnotations(ns, "s1-game").get(Manifests.SECRET_HASH_ANNOTATION);
        assertThat(hashBefore).isNotBlank();

        // Someone else changes the Secret: drift, by hash only, and the change back is theirs to give up.
        String sneaked = "sneaked-in-Value";
        KubeApi.Response edit = api.mergePatch(Kind.SECRET.path(ns, "s1-game-env"), Map.of("data", Map.of("DB_PASS",
                b64(sneaked))), "kubectl-edit");
        assertThat(edit.ok()).as(edit.message()).isTrue();
        Workspace.Planned drifted = plan(ws, PlanMode.NORMAL);
        Optional<Drift> drift = drifted.plan().drift().stream().filter(d -> d.address().value().equals(secret))
                .findFirst();
        assertThat(drift).isPresent();
        AttributeChange data = drift.get().changes().get(0);
        assertThat(data.name()).isEqualTo("data");
        assertThat(data.sensitive()).isTrue();
        assertThat(String.valueOf(data.after())).startsWith("sha256:").isNotEqualTo(String.valueOf(data.before()));
        assertThat(change(drifted, secret).action()).isEqualTo(Action.CONFLICT);
        String planFile = new String(PlanCodec.encode(drifted.plan()), StandardCharsets.UTF_8);
        assertThat(planFile).doesNotContain(sneaked).doesNotContain(b64(sneaked)).doesNotContain("first-Pa55word")
                .doesNotContain(b64("first-Pa55word"));
        apply(ws, plan(ws, PlanMode.NORMAL, true));
        assertThat(Json.write(api.get(Kind.SECRET.path(ns, "s1-game-env")).body())).contains(b64("first-Pa55word"));
        assertThat(changes(plan(ws, PlanMode.NORMAL))).isEmpty();

        // Rotating the secret updates the Secret and, through the hash on the pod template, the pods.
        ws = workspace("secret", text, "second-Pa55word");
        Workspace.Planned rotated = plan(ws, PlanMode.NORMAL);
        assertThat(changes(rotated)).extracting(c -> c.address().value() + " " + c.action())
                .containsExactlyInAnyOrder(secret + " UPDATE", sts + " UPDATE");
        assertThat(change(rotated, sts).changes()).extracting(AttributeChange::name)
                .containsExactly("spec.template.metadata.annotations");
        apply(ws, rotated);
        String hashAfter = podAnnotations(ns, "s1-game").get(Manifests.SECRET_HASH_ANNOTATION);
        assertThat(hashAfter).isNotBlank().isNotEqualTo(hashBefore);

        // No secret value in the state, the plan file, or any object's labels and annotations.
        String stateFile = Files.readString(root.resolve("secret/.fleetform/state.json"));
        String planText = new String(PlanCodec.encode(rotated.plan()), StandardCharsets.UTF_8);
        String stsJson = Json.write(api.get(Kind.STATEFULSET.path(ns, "s1-game")).body());
        String secretMetadata = Json.write(metadata(Kind.SECRET.path(ns, "s1-game-env")));
        for (String value : List.of("first-Pa55word", "second-Pa55word")) {
            for (String form : List.of(value, b64(value))) {
                assertThat(stateFile).doesNotContain(form);
                assertThat(planText).doesNotContain(form);
                assertThat(stsJson).doesNotContain(form);
                assertThat(secretMetadata).doesNotContain(form);
            }
        }
        apply(ws, plan(ws, PlanMode.DESTROY));
    }

    /**
     * The pod template's secret revision cannot be checked against guesses of the value: it is keyed with the
     * fleet's state lineage (never on an object), not a plain hash of the data. The plan shows what apply writes,
     * a saved plan applies it exactly, and a rotation changes it.
     */
    @Test
    @SuppressWarnings("unchecked")
    void theSecretRevisionIsKeyedByTheFleetNeverAPlainHashOfTheValue() throws Exception {
        String ns = namespace("hmac");
        closing.add(new FakeKubelet(cluster, ns));
        String text = fleet("hmac", ns, "h", 1, "");
        String value = "1234"; // short: a plain hash of it falls to the first guesses
        Workspace ws = workspace("hmac", text, value);
        String sts = "k8s.one.statefulset." + ns + "/h1-game";
        String annotations = "spec.template.metadata.annotations";

        Workspace.Planned first = plan(ws, PlanMode.NORMAL);
        String planned = (String) ((Map<String, Object>) change(first, sts).after().get(annotations))
                .get(Manifests.SECRET_HASH_ANNOTATION);
        apply(ws, first);
        String lineage = ws.backend().read().orElseThrow().lineage();
        Map<String, Object> data = Map.of("DB_PASS", b64(value));
        String revision = podAnnotations(ns, "h1-game").get(Manifests.SECRET_HASH_ANNOTATION);
        assertThat(revision).as("applied as planned").isEqualTo(planned)
                .isEqualTo(SecretRevision.of(SecretRevision.key(lineage), data));
        // what anyone who reads the workload could test guesses against, were it a plain hash
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        String plain = java.util.HexFormat.of().formatHex(sha.digest(new java.util.TreeMap<>(data).toString()
                .getBytes(StandardCharsets.UTF_8)));
        assertThat(revision).doesNotContain(plain.substring(0, 16));
        assertThat(SecretRevision.of(SecretRevision.key("another-lineage"), data)).as("another fleet, another value")
                .isNotEqualTo(revision);
        assertThat(changes(plan(ws, PlanMode.NORMAL))).isEmpty();

        // A rotation, from a saved plan: the new revision is planned, applied exactly, and the pods roll.
        ws = workspace("hmac", text, "5678");
        Workspace.Planned rotated = plan(ws, PlanMode.NORMAL);
        String next = (String) ((Map<String, Object>) change(rotated, sts).after().get(annotations))
                .get(Manifests.SECRET_HASH_ANNOTATION);
        assertThat(next).isEqualTo(SecretRevision.of(SecretRevision.key(lineage), Map.of("DB_PASS", b64("5678"))))
                .isNotEqualTo(revision);
        Plan saved = PlanCodec.decode(PlanCodec.encode(rotated.plan()), "plan.json");
        Workspace.Outcome<Workspace.Configuration> config = ws.configuration();
        State stored = ws.backend().read().orElseThrow();
        assertThat(ws.checkSavedPlan(saved, config.value(), stored)).isEmpty();
        apply(ws, new Workspace.Planned(saved, config.value(), ws.movedState(config.value(), stored)));
        assertThat(podAnnotations(ns, "h1-game").get(Manifests.SECRET_HASH_ANNOTATION)).isEqualTo(next);
        apply(ws, plan(ws, PlanMode.DESTROY));
    }

    @SuppressWarnings("unchecked")
    private Map<String, String> podAnnotations(String ns, String name) throws Exception {
        Map<String, Object> spec = (Map<String, Object>) api.get(Kind.STATEFULSET.path(ns, name)).body().get("spec");
        Map<String, Object> template = (Map<String, Object>) spec.get("template");
        return (Map<String, String>) ((Map<String, Object>) template.get("metadata")).get("annotations");
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
