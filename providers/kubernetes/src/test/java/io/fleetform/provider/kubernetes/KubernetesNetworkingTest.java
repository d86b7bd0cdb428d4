package io.fleetform.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.engine.apply.Applier;
import io.fleetform.engine.apply.ApplyEvent;
import io.fleetform.engine.apply.ApplyResult;
import io.fleetform.engine.eval.EvalOptions;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.plan.PlanMode;
import io.fleetform.engine.plan.ResourceChange;
import io.fleetform.engine.provider.ExpandRequest;
import io.fleetform.engine.provider.ProviderContext;
import io.fleetform.engine.provider.ProviderRegistry;
import io.fleetform.engine.run.Workspace;
import io.fleetform.state.local.LocalStateBackend;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Network modes on a real API server (cluster {@code net} of its own, so the other clusters never serve the
 * SR-IOV kinds): SR-IOV through a NetworkAttachmentDefinition where only Multus's CRD is installed, through the
 * SR-IOV Network Operator's SriovNetworkNodePolicy and SriovNetwork once its CRDs are (the real ones, from
 * {@code src/test/resources/crds}); IPAM from the IDC's {@code ip_pool} either way; host networking with host
 * ports; Service and container ports; and the plan saying that IO caps, IRQ binding and RPS are not enforced.
 * No operator or kubelet runs: the test checks the objects, and {@link FakeKubelet} reports rollouts.
 */
@ExtendWith(TestClusters.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubernetesNetworkingTest {
    private static final String OPERATOR_NS = "sriov-network-operator";
    @TempDir
    Path dir;
    private final List<AutoCloseable> closing = new ArrayList<>();
    private TestClusters.Cluster cluster;
    private KubeApi api;

    @BeforeEach
    void setUp() throws Exception {
        cluster = TestClusters.cluster("net");
        api = new KubeApi(cluster.kubeconfig(), cluster.context(), Duration.ofSeconds(10));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        api.close();
    }

    private String fleet(String namespace) {
        return fleet("nt", namespace);
    }

    private String fleet(String name, String namespace) {
        return "fleet \"" + name + "\" { owner = \"ops\" }\n"
                + "image \"app\" { name = \"nt/app\"  tag = \"1.0\" }\n"
                + "cluster \"net\" {\n  context = \"" + cluster.context() + "\"\n  namespace = \"" + namespace
                + "\"\n  kubeconfig = \"" + cluster.kubeconfig() + "\"\n}\n"
                + "idc \"dc\" { region = \"r1\"  target = cluster.net  ip_pool = \"10.77.0.0/24\" }\n"
                + "zone \"z1\" {\n  idc = idc.dc\n"
                + "  service \"fast\" {\n    image = image.app\n    cpu = 2 cores pinned\n    memory = 1Gi\n"
                + "    ports = { game = 7000 }\n    disk = 1Gi at \"/data\"\n    io {\n      read = 100MB/s\n    }\n"
                + "    network sriov {\n      vlan = 120\n      irq  = local\n      rps  = on\n    }\n  }\n"
                + "  service \"edge\" {\n    image = image.app\n    cpu = 1 core\n    memory = 1Gi\n"
                + "    network = host\n    ports = { game = 7100, admin = 7101 }\n  }\n"
                + "}\n";
    }

    private Workspace workspace(String namespace, Map<String, String> env) throws Exception {
        return workspace(dir, "nt", namespace, env);
    }

    private Workspace workspace(Path folder, String name, String namespace, Map<String, String> env) throws Exception {
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("main.fleet"), fleet(name, namespace));
        return new Workspace(folder, EvalOptions.defaults().withEnvironment(env),
                new LocalStateBackend(folder.resolve(".fleetform/state-" + namespace + ".json")),
                new ProviderRegistry(List.of(new KubernetesProvider())));
    }

    private record Planned(Workspace.Planned planned, List<Diagnostic> diagnostics) {
        List<String> creates() {
            return planned.plan().changes().stream().filter(c -> c.action() == Action.CREATE)
                    .map(c -> c.address().value()).toList();
        }
    }

    private static Planned plan(Workspace ws, PlanMode mode) throws Exception {
        return plan(ws, mode, false);
    }

    private static Planned plan(Workspace ws, PlanMode mode, boolean forceConflicts) throws Exception {
        Workspace.Outcome<Workspace.Configuration> config = ws.configuration();
        assertThat(config.failed()).as(config.diagnostics().toString()).isFalse();
        Workspace.Outcome<Workspace.Planned> planned = ws.plan(config.value(),
                new Workspace.PlanSettings(mode, true, List.of(), List.of(), forceConflicts));
        assertThat(planned.failed()).as(planned.diagnostics().toString()).isFalse();
        List<Diagnostic> diagnostics = new ArrayList<>(config.diagnostics()); // expansion's are the configuration's
        diagnostics.addAll(planned.diagnostics());
        return new Planned(planned.value(), diagnostics);
    }

    private static void apply(Workspace ws, Planned p) throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        ApplyResult r = ws.apply(p.planned(), new Applier.Options(4, 2, Duration.ofMillis(200),
                Duration.ofSeconds(5)), e -> {
                    if (e instanceof ApplyEvent.Failed f) {
                        events.add(f.address() + ": " + f.error());
                    }
                }, new AtomicBoolean());
        assertThat(r.succeeded()).as(events.toString()).isTrue();
    }

    private String get(Kind kind, String namespace, String name) throws Exception {
        KubeApi.Response r = api.get(kind.path(namespace, name));
        assertThat(r.code()).as(kind.kind + " " + namespace + "/" + name + ": " + r.message()).isEqualTo(200);
        return Json.write(r.body());
    }

    @Test
    @Order(1) // before the next one: it needs a cluster without the operator's CRDs first
    void sriovThroughANadOrTheOperatorsObjectsHostNetworkAndPorts() throws Exception {
        installCrd("k8s.cni.cncf.io_network-attachment-definitions.yaml", Kind.NETWORK_ATTACHMENT);
        waitUntilGarbageCollected(Kind.NETWORK_ATTACHMENT, Map.of("config", "{}"));

        // Without the operator: a NetworkAttachmentDefinition per service, IPAM from the IDC's ip_pool.
        String ns = "netnad";
        closing.add(new FakeKubelet(cluster, ns));
        Workspace ws = workspace(ns, TestFleets.env());
        Planned first = plan(ws, PlanMode.NORMAL);
        assertThat(first.creates()).contains("k8s.net.networkattachmentdefinition." + ns + "/z1-fast-sriov")
                .noneMatch(a -> a.contains("sriovnetwork"));
        assertThat(first.diagnostics()).anySatisfy(d -> {
            assertThat(d.code()).isEqualTo("k8s-not-enforced");
            assertThat(d.message()).contains("cluster \"net\" does not enforce IO caps, SR-IOV IRQ binding or RPS")
                    .contains("zone z1 service fast (io, irq = local, rps = on)");
        });
        apply(ws, first);
        String nad = get(Kind.NETWORK_ATTACHMENT, ns, "z1-fast-sriov");
        assertThat(nad).contains("\\\"vlan\\\":120").contains("\\\"ipam\\\":{\\\"type\\\":\\\"whereabouts\\\","
                + "\\\"range\\\":\\\"10.77.0.0/24\\\",\\\"gateway\\\":\\\"10.77.0.1\\\"");
        String fast = get(Kind.STATEFULSET, ns, "z1-fast");
        assertThat(fast).contains("\"k8s.v1.cni.cncf.io/networks\":\"z1-fast-sriov\"")
                .contains("\"intel.com/sriov_netdevice\":\"1\"");
        String edge = get(Kind.STATEFULSET, ns, "z1-edge");
        assertThat(edge).contains("\"hostNetwork\":true").contains("\"dnsPolicy\":\"ClusterFirstWithHostNet\"")
                .contains("\"hostPort\":7100,\"containerPort\":7100").contains("\"hostPort\":7101,\"containerPort\":7101");
        assertThat(get(Kind.SERVICE, ns, "z1-edge")).contains("\"name\":\"game\"").contains("\"port\":7100")
                .contains("\"port\":7101");
        assertThat(plan(ws, PlanMode.NORMAL).planned().plan().changes()).allMatch(c -> c.action() == Action.NO_OP);
        apply(ws, plan(ws, PlanMode.DESTROY));
        assertThat(api.get(Kind.NETWORK_ATTACHMENT.path(ns, "z1-fast-sriov")).code()).isEqualTo(404);

        // The operator's CRDs installed (and its namespace, as its installation makes): its objects instead.
        installCrd("sriovnetwork.openshift.io_sriovnetworknodepolicies.yaml", Kind.SRIOV_NODE_POLICY);
        installCrd("sriovnetwork.openshift.io_sriovnetworks.yaml", Kind.SRIOV_NETWORK);
        api.post("/api/v1/namespaces", Map.of("apiVersion", "v1", "kind", "Namespace", "metadata",
                Map.of("name", OPERATOR_NS)));
        // a team's network in the operator's namespace: never Fleetform's to touch
        KubeApi.Response team = api.apply(Kind.SRIOV_NETWORK.path(OPERATOR_NS, "team-net"), Map.of(
                "apiVersion", Kind.SRIOV_NETWORK.apiVersion, "kind", "SriovNetwork", "metadata", Map.of("name",
                        "team-net", "namespace", OPERATOR_NS), "spec", Map.of("resourceName", "team_vfs")), "team",
                true);
        assertThat(team.ok()).as(team.message()).isTrue();
        waitUntilGarbageCollected(Kind.SRIOV_NODE_POLICY, Map.of("resourceName", "probe", "numVfs", 1,
                "nodeSelector", Map.of(), "nicSelector", Map.of()));
        waitUntilGarbageCollected(Kind.SRIOV_NETWORK, Map.of("resourceName", "probe"));

        String opNs = "netop";
        Map<String, String> env = new HashMap<>(TestFleets.env());
        Map<String, String> withoutPfs = new HashMap<>(env);
        var loaded = TestFleets.load(dir, fleet(opNs));
        var expanded = new KubernetesProvider().expand(new ExpandRequest(loaded, Set.of("net"),
                new ProviderContext(dir, withoutPfs)));
        assertThat(expanded.diagnostics()).anySatisfy(d -> {
            assertThat(d.code()).isEqualTo("k8s-sriov-pf-names");
            assertThat(d.hint()).contains("FLEETFORM_K8S_SRIOV_PF_NAMES");
        });
        env.put("FLEETFORM_K8S_SRIOV_PF_NAMES", "ens1f0, ens1f1");
        closing.add(new FakeKubelet(cluster, opNs));
        ws = workspace(opNs, env);
        Planned op = plan(ws, PlanMode.NORMAL);
        assertThat(op.creates()).contains("k8s.net.sriovnetworknodepolicy." + OPERATOR_NS + "/nt-dc",
                "k8s.net.sriovnetwork." + OPERATOR_NS + "/nt-dc-vlan120")
                .noneMatch(a -> a.contains("networkattachmentdefinition"));
        apply(ws, op);
        String policy = get(Kind.SRIOV_NODE_POLICY, OPERATOR_NS, "nt-dc");
        assertThat(policy).contains("\"fleetform.io/fleet\":\"nt\"").contains("\"resourceName\":\"ff_nt_dc\"")
                .contains("\"nodeSelector\":{\"topology.fleetform.io/idc\":\"dc\"}").contains("\"numVfs\":8")
                .contains("\"pfNames\":[\"ens1f0\",\"ens1f1\"]").contains("\"deviceType\":\"netdevice\"");
        String network = get(Kind.SRIOV_NETWORK, OPERATOR_NS, "nt-dc-vlan120");
        assertThat(network).contains("\"networkNamespace\":\"" + opNs + "\"").contains("\"vlan\":120")
                .contains("\"resourceName\":\"ff_nt_dc\"").contains("\"spoofChk\":\"on\"")
                .contains("whereabouts").contains("10.77.0.0/24");
        assertThat(get(Kind.STATEFULSET, opNs, "z1-fast"))
                .contains("\"k8s.v1.cni.cncf.io/networks\":\"nt-dc-vlan120\"")
                .contains("\"openshift.io/ff_nt_dc\":\"1\"").doesNotContain("intel.com/sriov_netdevice");
        assertThat(plan(ws, PlanMode.NORMAL).planned().plan().changes()).allMatch(c -> c.action() == Action.NO_OP);

        // What the operator makes in the fleet's namespace for the fleet's SriovNetwork (it names its owner in an
        // annotation: an owner reference cannot cross namespaces) is the fleet's; one it makes for the team's
        // network is not, and keeps the namespace.
        operatorNad(opNs, "nt-dc-vlan120", OPERATOR_NS + "/nt-dc-vlan120");
        operatorNad(opNs, "team-net", OPERATOR_NS + "/team-net");
        String nsAddress = "k8s.net.namespace." + opNs;
        Planned kept = plan(ws, PlanMode.DESTROY);
        ResourceChange keptNs = kept.planned().plan().changes().stream()
                .filter(c -> c.address().value().equals(nsAddress)).findFirst().orElseThrow();
        assertThat(keptNs.action()).isEqualTo(Action.FORGET);
        assertThat(keptNs.reason()).contains("NetworkAttachmentDefinition team-net")
                .doesNotContain("nt-dc-vlan120");
        assertThat(api.delete(Kind.NETWORK_ATTACHMENT.path(opNs, "team-net"), "Background").ok()).isTrue();
        Planned destroy = plan(ws, PlanMode.DESTROY);
        assertThat(destroy.planned().plan().changes()).filteredOn(c -> c.address().value().equals(nsAddress))
                .extracting(ResourceChange::action).containsExactly(Action.DELETE);

        apply(ws, destroy);
        assertThat(api.get(Kind.NAMESPACE.path(null, opNs)).code()).as("the operator's NAD did not keep it")
                .isEqualTo(404);
        assertThat(api.get(Kind.SRIOV_NODE_POLICY.path(OPERATOR_NS, "nt-dc")).code()).isEqualTo(404);
        assertThat(api.get(Kind.SRIOV_NETWORK.path(OPERATOR_NS, "nt-dc-vlan120")).code()).isEqualTo(404);
        assertThat(api.get(Kind.SRIOV_NETWORK.path(OPERATOR_NS, "team-net")).code()).isEqualTo(200);
        assertThat(api.get(Kind.NAMESPACE.path(null, OPERATOR_NS)).code()).isEqualTo(200);
    }

    /**
     * The operator's namespace, shared by two fleets and a team: a plan into a missing one says so; each fleet's
     * policy and network carry its identity, drift on them shows, one made and never recorded is found and
     * deleted, and neither fleet ever touches the other's objects or the team's.
     */
    @Test
    @Order(2)
    void theOperatorsNamespaceIsCheckedAndSharedWithoutTouchingOthers() throws Exception {
        installCrd("sriovnetwork.openshift.io_sriovnetworknodepolicies.yaml", Kind.SRIOV_NODE_POLICY);
        installCrd("sriovnetwork.openshift.io_sriovnetworks.yaml", Kind.SRIOV_NETWORK);
        String opNs = "sriov-shared";
        Map<String, String> env = new HashMap<>(TestFleets.env());
        env.put("FLEETFORM_K8S_SRIOV_PF_NAMES", "ens1f0");
        env.put("FLEETFORM_K8S_SRIOV_NAMESPACE", opNs);

        // Before the operator's namespace exists: the plan says so, at the cluster block.
        var missing = new KubernetesProvider().expand(new ExpandRequest(TestFleets.load(dir, fleet("sa", "netsa")),
                Set.of("net"), new ProviderContext(dir, env)));
        assertThat(missing.diagnostics()).anySatisfy(d -> {
            assertThat(d.code()).isEqualTo("k8s-sriov-namespace");
            assertThat(d.isError()).isTrue();
            assertThat(d.message()).contains("cluster \"net\"").contains("\"" + opNs + "\" does not exist");
            assertThat(d.hint()).contains("FLEETFORM_K8S_SRIOV_NAMESPACE");
        });

        assertThat(api.post("/api/v1/namespaces", Map.of("apiVersion", "v1", "kind", "Namespace", "metadata",
                Map.of("name", opNs))).code()).isIn(201, 409);
        KubeApi.Response team = api.apply(Kind.SRIOV_NETWORK.path(opNs, "team-net"), Map.of(
                "apiVersion", Kind.SRIOV_NETWORK.apiVersion, "kind", "SriovNetwork", "metadata", Map.of("name",
                        "team-net", "namespace", opNs), "spec", Map.of("resourceName", "team_vfs")), "team", true);
        assertThat(team.ok()).as(team.message()).isTrue();
        waitUntilGarbageCollected(Kind.SRIOV_NODE_POLICY, Map.of("resourceName", "probe", "numVfs", 1,
                "nodeSelector", Map.of(), "nicSelector", Map.of()));
        waitUntilGarbageCollected(Kind.SRIOV_NETWORK, Map.of("resourceName", "probe"));

        closing.add(new FakeKubelet(cluster, "netsa"));
        closing.add(new FakeKubelet(cluster, "netsb"));
        Workspace a = workspace(dir.resolve("a"), "sa", "netsa", env);
        Workspace b = workspace(dir.resolve("b"), "sb", "netsb", env);
        Planned planA = plan(a, PlanMode.NORMAL);
        assertThat(planA.diagnostics()).noneMatch(d -> d.code().equals("k8s-sriov-namespace"));
        apply(a, planA);
        apply(b, plan(b, PlanMode.NORMAL));
        assertThat(get(Kind.SRIOV_NODE_POLICY, opNs, "sa-dc")).contains("\"fleetform.io/fleet\":\"sa\"")
                .contains("\"fleetform.io/address\":\"k8s.net.sriovnetworknodepolicy." + opNs + "/sa-dc\"");
        assertThat(get(Kind.SRIOV_NETWORK, opNs, "sb-dc-vlan120")).contains("\"fleetform.io/fleet\":\"sb\"");

        // Drift: the policy changed by hand shows (the hand now owns the field: a conflict), and a plan that
        // forces conflicts puts it back.
        KubeApi.Response byHand = api.apply(Kind.SRIOV_NODE_POLICY.path(opNs, "sa-dc"), Map.of("apiVersion",
                Kind.SRIOV_NODE_POLICY.apiVersion, "kind", "SriovNetworkNodePolicy", "metadata", Map.of("name", "sa-dc",
                        "namespace", opNs), "spec", Map.of("numVfs", 2)), "someone", true);
        assertThat(byHand.ok()).as(byHand.message()).isTrue();
        Planned drift = plan(a, PlanMode.NORMAL);
        assertThat(drift.planned().plan().changes()).filteredOn(c -> c.action() != Action.NO_OP)
                .extracting(c -> c.address().value())
                .containsExactly("k8s.net.sriovnetworknodepolicy." + opNs + "/sa-dc");
        apply(a, plan(a, PlanMode.NORMAL, true));
        assertThat(get(Kind.SRIOV_NODE_POLICY, opNs, "sa-dc")).contains("\"numVfs\":8");

        // Made by fleet sa and never recorded (an apply killed in between, its setting removed since): found and
        // deleted by sa's next plan; sb never sees it.
        String lost = "sa-dc-vlan130";
        String identity = new io.fleetform.engine.provider.FleetIdentity("sa", a.backend().read().orElseThrow()
                .lineage()).id();
        KubeApi.Response made = api.apply(Kind.SRIOV_NETWORK.path(opNs, lost), Map.of("apiVersion",
                Kind.SRIOV_NETWORK.apiVersion, "kind", "SriovNetwork", "metadata", Map.of("name", lost, "namespace",
                        opNs, "labels", Map.of(Manifests.FLEET_LABEL, "sa", "app.kubernetes.io/managed-by", "fleetform"),
                        "annotations", Map.of(Manifests.ADDRESS_ANNOTATION, "k8s.net.sriovnetwork." + opNs + "/" + lost,
                                Manifests.OWNER_ANNOTATION, identity)),
                "spec", Map.of("resourceName", "ff_sa_dc", "vlan", 130)), Manifests.MANAGER, true);
        assertThat(made.ok()).as(made.message()).isTrue();
        // The same with the fleet's label alone (copied by someone): not the fleet's to delete.
        String copied = "sa-dc-vlan131";
        KubeApi.Response copy = api.apply(Kind.SRIOV_NETWORK.path(opNs, copied), Map.of("apiVersion",
                Kind.SRIOV_NETWORK.apiVersion, "kind", "SriovNetwork", "metadata", Map.of("name", copied, "namespace",
                        opNs, "labels", Map.of(Manifests.FLEET_LABEL, "sa")), "spec", Map.of("resourceName", "team_vfs",
                        "vlan", 131)), "team", true);
        assertThat(copy.ok()).as(copy.message()).isTrue();
        assertThat(plan(b, PlanMode.NORMAL).planned().plan().changes()).allMatch(c -> c.action() == Action.NO_OP);
        Planned leftover = plan(a, PlanMode.NORMAL);
        assertThat(leftover.planned().plan().changes()).filteredOn(c -> c.action() != Action.NO_OP)
                .extracting(c -> c.action() + " " + c.address().value())
                .containsExactly("DELETE k8s.net.sriovnetwork." + opNs + "/" + lost);
        apply(a, leftover);
        assertThat(api.get(Kind.SRIOV_NETWORK.path(opNs, lost)).code()).isEqualTo(404);
        assertThat(api.get(Kind.SRIOV_NETWORK.path(opNs, copied)).code()).isEqualTo(200);
        api.delete(Kind.SRIOV_NETWORK.path(opNs, copied), "Background");

        // Destroying one fleet removes its objects only.
        apply(a, plan(a, PlanMode.DESTROY));
        assertThat(api.get(Kind.SRIOV_NODE_POLICY.path(opNs, "sa-dc")).code()).isEqualTo(404);
        assertThat(api.get(Kind.SRIOV_NETWORK.path(opNs, "sa-dc-vlan120")).code()).isEqualTo(404);
        assertThat(api.get(Kind.SRIOV_NODE_POLICY.path(opNs, "sb-dc")).code()).isEqualTo(200);
        assertThat(api.get(Kind.SRIOV_NETWORK.path(opNs, "sb-dc-vlan120")).code()).isEqualTo(200);
        apply(b, plan(b, PlanMode.DESTROY));
        assertThat(api.get(Kind.SRIOV_NODE_POLICY.path(opNs, "sb-dc")).code()).isEqualTo(404);
        assertThat(api.get(Kind.SRIOV_NETWORK.path(opNs, "team-net")).code()).isEqualTo(200);
        assertThat(api.get(Kind.NAMESPACE.path(null, opNs)).code()).isEqualTo(200);
    }

    /** A NetworkAttachmentDefinition as the SR-IOV Network Operator makes it for the SriovNetwork {@code owner}. */
    private void operatorNad(String namespace, String name, String owner) throws Exception {
        KubeApi.Response r = api.apply(Kind.NETWORK_ATTACHMENT.path(namespace, name), Map.of("apiVersion",
                Kind.NETWORK_ATTACHMENT.apiVersion, "kind", Kind.NETWORK_ATTACHMENT.kind, "metadata", Map.of("name", name,
                        "namespace", namespace, "annotations", Map.of(Ownership.OPERATOR_OWNER,
                                "SriovNetwork.sriovnetwork.openshift.io/" + owner,
                                "k8s.v1.cni.cncf.io/resourceName", "openshift.io/x")),
                "spec", Map.of("config", "{\"type\":\"sriov\"}")), "sriov-network-operator", true);
        assertThat(r.ok()).as(r.message()).isTrue();
    }

    /** Whether this test made a CRD the cluster's garbage collector has not been restarted since. */
    private boolean newKinds;

    /** The CRD from {@code src/test/resources/crds} (idempotent), then waits until discovery serves its kind. */
    @SuppressWarnings("unchecked")
    private void installCrd(String file, Kind kind) throws Exception {
        Map<String, Object> crd;
        try (InputStream in = getClass().getResourceAsStream("/crds/" + file)) {
            crd = new ObjectMapper(new YAMLFactory()).readValue(in, Map.class);
        }
        KubeApi.Response made = api.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
        assertThat(made.code()).as(made.message()).isIn(201, 409);
        newKinds |= made.code() == 201;
        long until = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < until) {
            KubeApi.Response served = api.get("/apis/" + kind.apiVersion);
            if (served.ok() && String.valueOf(served.body().get("resources")).contains("name=" + kind.plural + ",")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("CRD " + file + " not served after 30s");
    }

    /**
     * The garbage collector learns a new kind from discovery at its start and then every 30s; until then a
     * foreground deletion of such an object waits. After new CRDs its controllers are restarted (rather than
     * waiting for the next discovery); a probe, deleted in the foreground until it is gone, makes sure.
     */
    private void waitUntilGarbageCollected(Kind kind, Map<String, Object> spec) throws Exception {
        if (newKinds) {
            TestClusters.restartControllers(cluster);
            newKinds = false;
        }
        String path = kind.path("default", "gc-probe");
        KubeApi.Response made = api.apply(path, Map.of("apiVersion", kind.apiVersion, "kind", kind.kind,
                "metadata", Map.of("name", "gc-probe", "namespace", "default"), "spec", spec), "test", true);
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
}
