package io.fleetform.state.kubernetes;

import static io.fleetform.engine.state.SampleStates.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fleetform.engine.state.LockInfo;
import io.fleetform.engine.state.SampleStates;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateException;
import io.fleetform.engine.state.StateLock;
import io.fleetform.engine.state.StateLockedException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes backend as a team meets it on a real kube-apiserver: Lease expiry after SIGKILL,
 * two processes racing for the Lease, a chunk edited by hand, two writers, and the minimal Role.
 * {@code -Dfleetform.lockRace.trials=N} runs more lock-race trials than the default 50.
 */
class KubernetesStateScenariosTest {
    private static final int TRIALS = Integer.getInteger("fleetform.lockRace.trials", 50);
    private static final String NS = KubernetesStateBackendContractTest.NAMESPACE;

    @TempDir
    Path dir;
    private final List<Process> processes = new ArrayList<>();

    @org.junit.jupiter.api.BeforeEach
    void namespace() {
        TestCluster.namespace(NS);
    }

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
    }

    private String name() {
        return KubernetesStateBackendContractTest.nameOf(dir);
    }

    private KubernetesStateBackend machine(String folder, Map<String, String> extra) throws Exception {
        return KubernetesStateBackendContractTest.backend(dir.resolve(folder), name(), extra);
    }

    @Test
    void aHolderKilledWithSigkillReleasesByExpiryAndIsThenTakenOver() throws Exception {
        KubernetesStateBackend ops = machine("ops", Map.of("lease_seconds", "3"));
        Process holder = racer("holder", "3");
        BufferedReader out = reader(holder);
        assertThat(line(out)).isEqualTo("READY");
        send(holder, "GO 0");
        String locked = line(out);
        assertThat(locked).startsWith("LOCKED ");
        String id = locked.substring("LOCKED ".length());
        Thread.sleep(4_000);
        Throwable stillHeld = catchThrowable(() -> ops.lock(LockInfo.forOperation("plan")));
        assertThat(stillHeld).as("renewed while its holder runs, past its first duration")
                .isInstanceOf(StateLockedException.class).hasMessageContaining("lock " + id)
                .hasMessageContaining("Lease " + NS + "/fleetform-lock-" + name());
        holder.destroyForcibly();
        holder.waitFor(60, TimeUnit.SECONDS);

        Throwable refused = catchThrowable(() -> ops.lock(LockInfo.forOperation("plan")));
        assertThat(refused).isInstanceOf(StateLockedException.class).hasMessageContaining("lock " + id)
                .hasMessageContaining("a holder that died releases it by expiry");
        Thread.sleep(3_500);
        try (StateLock mine = ops.lock(LockInfo.forOperation("plan"))) {
            assertThat(mine.info().operation()).isEqualTo("plan");
        }
    }

    @Test
    void aLeaseAlreadyHoldingThisLocksOwnRecordIsOursNotAnotherHolders() throws Exception {
        // What a lost answer leaves: the create landed, the caller never heard, and its retry finds the Lease.
        KubernetesStateBackend ops = machine("ops", Map.of("lease_seconds", "30"));
        Process holder = racer("holder", "30");
        BufferedReader out = reader(holder);
        assertThat(line(out)).isEqualTo("READY");
        send(holder, "GO 0");
        String locked = line(out);
        assertThat(locked).startsWith("LOCKED ");
        String id = locked.substring("LOCKED ".length());
        holder.destroyForcibly();
        holder.waitFor(60, TimeUnit.SECONDS);

        Throwable other = catchThrowable(() -> ops.lock(LockInfo.forOperation("plan")));
        assertThat(other).as("another lock is still refused").isInstanceOf(StateLockedException.class)
                .hasMessageContaining("lock " + id);
        try (StateLock same = ops.lock(new LockInfo(id, "the same run", "race", java.time.Instant.now()))) {
            assertThat(same.info().id()).isEqualTo(id);
        }
        try (StateLock next = ops.lock(LockInfo.forOperation("plan"))) {
            assertThat(next.info().operation()).as("released when the adopted lock closed").isEqualTo("plan");
        }
    }

    @Test
    void twoProcessesRacingForTheLeaseNeverBothGetIt() throws Exception {
        Process a = racer("a", "30");
        Process b = racer("b", "30");
        BufferedReader outA = reader(a);
        BufferedReader outB = reader(b);
        assertThat(line(outA)).isEqualTo("READY");
        assertThat(line(outB)).isEqualTo("READY");
        for (int trial = 0; trial < TRIALS; trial++) {
            long startAt = System.currentTimeMillis() + 150;
            send(a, "GO " + startAt);
            send(b, "GO " + startAt);
            String fromA = line(outA);
            String fromB = line(outB);
            assertThat(List.of(fromA, fromB)).as("trial %d: exactly one holder", trial)
                    .filteredOn(l -> l.startsWith("LOCKED ")).hasSize(1);
            boolean aWon = fromA.startsWith("LOCKED ");
            String winnerId = (aWon ? fromA : fromB).substring("LOCKED ".length());
            assertThat(aWon ? fromB : fromA).as("trial %d", trial)
                    .startsWith("REFUSED " + winnerId + " the state is locked: lock " + winnerId)
                    .contains("fleetform force-unlock " + winnerId);
            send(aWon ? a : b, "RELEASE");
            assertThat(line(aWon ? outA : outB)).isEqualTo("DONE");
        }
    }

    @Test
    void aWriteAgainstAnIndexThatMovedOnStopsAndLeavesNoChunksBehind() throws Exception {
        KubernetesStateBackend a = machine("a", Map.of());
        KubernetesStateBackend b = machine("b", Map.of());
        State first = SampleStates.withServices(3, 1);
        a.write(first);
        assertThat(b.read()).contains(first);
        State fromA = first.with(service("zone.s5.service.a[0]")).nextSerial();
        a.write(fromA);

        assertThatThrownBy(() -> b.write(first.with(service("zone.s6.service.b[0]")).nextSerial()))
                .isInstanceOf(StateException.class).hasMessageContaining("someone else wrote it since this run read it");
        assertThat(machine("c", Map.of()).read()).contains(fromA);
        try (KubernetesClient admin = TestCluster.admin()) {
            assertThat(admin.secrets().inNamespace(NS).withLabel(KubernetesStateBackend.STATE_LABEL, name()).list()
                    .getItems()).as("the index and two generations of one chunk each")
                    .hasSize(3);
        }
    }

    @Test
    void aChunkEditedByHandIsAClearErrorAndTheBackupCanBeRestored() throws Exception {
        KubernetesStateBackend ops = machine("ops", Map.of());
        State good = SampleStates.withServices(3, 1);
        ops.write(good);
        State latest = good.with(service("zone.s9.service.x[0]")).nextSerial();
        ops.write(latest);
        try (KubernetesClient admin = TestCluster.admin()) {
            Secret index = admin.secrets().inNamespace(NS).withName("fleetform-state-" + name()).get();
            String generation = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Base64.getDecoder()
                    .decode(index.getData().get("index.json"))).path("generation").asText();
            Secret chunk = admin.secrets().inNamespace(NS).withName("fleetform-state-" + name() + "-" + generation
                    + "-0").get();
            chunk.getData().put("chunk", Base64.getEncoder().encodeToString("cut".getBytes(StandardCharsets.UTF_8)));
            admin.secrets().inNamespace(NS).resource(chunk).update();
        }
        KubernetesStateBackend next = machine("next", Map.of());
        assertThatThrownBy(next::read).isInstanceOf(StateException.class)
                .hasMessageContaining("does not match its checksum")
                .hasMessageContaining("nothing was changed")
                .hasMessageContaining("fleetform state restore-backup");
        assertThat(next.restoreBackup()).isEqualTo(good);
        KubernetesStateBackend third = machine("third", Map.of());
        assertThat(third.read()).contains(good);
        assertThat(third.previous()).as("the damaged state never becomes the backup").contains(good);
    }

    @Test
    void theMinimalRoleIsEnoughAndAMissingPermissionNamesVerbAndResource() throws Exception {
        String account = "state-" + name();
        Path kubeconfig;
        try (KubernetesClient admin = TestCluster.admin()) {
            admin.serviceAccounts().inNamespace(NS).resource(new ServiceAccountBuilder().withNewMetadata()
                    .withName(account).endMetadata().build()).createOr(x -> x.update());
            // The Role the README documents.
            admin.rbac().roles().inNamespace(NS).resource(new RoleBuilder().withNewMetadata().withName(account)
                    .endMetadata().withRules(
                            new PolicyRuleBuilder().withApiGroups("").withResources("secrets")
                                    .withVerbs("get", "list", "create", "update", "patch", "delete").build(),
                            new PolicyRuleBuilder().withApiGroups("coordination.k8s.io").withResources("leases")
                                    .withVerbs("get", "create", "update", "delete").build()).build())
                    .createOr(x -> x.update());
            admin.rbac().roleBindings().inNamespace(NS).resource(new RoleBindingBuilder().withNewMetadata()
                    .withName(account).endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "Role", account)
                    .addNewSubject().withKind("ServiceAccount").withName(account).withNamespace(NS).endSubject()
                    .build()).createOr(x -> x.update());
            String token = admin.serviceAccounts().inNamespace(NS).withName(account).tokenRequest(
                    new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
                    .getStatus().getToken();
            String config = Files.readString(TestCluster.kubeconfig()).replaceAll("token: .*", "token: " + token);
            kubeconfig = Files.writeString(dir.resolve("limited.kubeconfig"), config);
        }
        KubernetesStateBackend limited = machine("limited", Map.of("kubeconfig", kubeconfig.toString(),
                "journal_push_seconds", "0.2"));
        State state = SampleStates.withServices(2, 1);
        try (StateLock lock = limited.lock(LockInfo.forOperation("apply"))) {
            limited.write(state);
            var journal = limited.journal(state);
            journal.put(service("zone.s3.service.j[0]"));
            journal.close();
            limited.write(state.with(service("zone.s3.service.j[0]")).nextSerial());
        }
        assertThat(limited.read()).contains(state.with(service("zone.s3.service.j[0]")).nextSerial());

        try (KubernetesClient admin = TestCluster.admin()) {
            admin.rbac().roles().inNamespace(NS).resource(new RoleBuilder().withNewMetadata().withName(account)
                    .endMetadata().withRules(new PolicyRuleBuilder().withApiGroups("").withResources("secrets")
                            .withVerbs("get", "list").build()).build()).update();
        }
        assertThatThrownBy(() -> limited.write(state.nextSerial().nextSerial())).isInstanceOf(StateException.class)
                .hasMessageContaining("forbids this backend to create secrets in namespace " + NS);
        assertThatThrownBy(() -> limited.lock(LockInfo.forOperation("plan"))).isInstanceOf(StateException.class)
                .hasMessageContaining("forbids this backend to get leases.coordination.k8s.io");
    }

    @Test
    void anApplyKilledMidwayLosesNothingOnItsMachineAtMostThePushWindowElsewhereAndConverges() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process apply = new ProcessBuilder(java.toString(), "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), KubeCrashingApply.class.getName(), dir.resolve("ci").toString(),
                TestCluster.kubeconfig().toString(), name()).redirectError(dir.resolve("ci.stderr").toFile())
                .redirectOutput(dir.resolve("ci.stdout").toFile()).start();
        processes.add(apply);
        // Until it has recorded five (a JVM start, a lock and a state write first: long on a loaded machine).
        long until = System.nanoTime() + 180_000_000_000L;
        while (!Files.readString(dir.resolve("ci.stdout")).contains("RECORDED 5\n")) {
            assertThat(apply.isAlive()).as("the apply died early: %s", Files.readString(dir.resolve("ci.stderr")))
                    .isTrue();
            assertThat(System.nanoTime()).as("the apply recorded five within 180 s: %s",
                    Files.readString(dir.resolve("ci.stderr"))).isLessThan(until);
            Thread.sleep(50);
        }
        // Until the first five are on the API server: pushed every 0.2 s, but a loaded machine may take longer than
        // any fixed wait (a read from a folder of its own reads the pushed journal and changes nothing)
        KubernetesStateBackend watcher = machine("watcher", Map.of());
        long pushed = System.nanoTime() + 120_000_000_000L;
        while (watcher.read().map(st -> st.resources().size()).orElse(0) < 2 + 5) {
            assertThat(apply.isAlive()).as("the apply died early: %s", Files.readString(dir.resolve("ci.stderr")))
                    .isTrue();
            assertThat(System.nanoTime()).as("five records pushed within 120 s").isLessThan(pushed);
            Thread.sleep(50);
        }
        apply.destroyForcibly();
        apply.waitFor(60, TimeUnit.SECONDS);
        int recorded = Files.readAllLines(dir.resolve("ci.stdout")).stream().filter(l -> l.matches("RECORDED \\d+"))
                .mapToInt(l -> Integer.parseInt(l.substring("RECORDED ".length()))).max().orElseThrow();

        State onItsMachine = machine("ci", Map.of()).read().orElseThrow();
        // Every record it said it made (one more if it was killed between recording and saying so).
        assertThat(onItsMachine.resources().size()).as("the local journal has every record")
                .isBetween(2 + recorded, 2 + recorded + 1);
        State elsewhere = machine("laptop", Map.of()).read().orElseThrow();
        assertThat(elsewhere.resources().size()).as("another machine has what was pushed")
                .isBetween(2 + 5, 2 + recorded + 1);

        KubernetesStateBackend laptop = machine("laptop", Map.of());
        Thread.sleep(2_500); // the dead apply's Lease expires
        try (StateLock lock = laptop.lock(LockInfo.forOperation("apply"))) {
            State current = laptop.read().orElseThrow();
            laptop.write(current.nextSerial());
        }
        assertThat(machine("third", Map.of()).read().orElseThrow().resources()).isEqualTo(elsewhere.resources());
        try (KubernetesClient admin = TestCluster.admin()) {
            assertThat(admin.secrets().inNamespace(NS).withName("fleetform-state-" + name() + "-journal").get())
                    .as("the journal Secret goes once folded").isNull();
        }
    }

    private Process racer(String folder, String leaseSeconds) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp",
                System.getProperty("java.class.path"), KubeLockRacer.class.getName(), dir.resolve(folder).toString(),
                TestCluster.kubeconfig().toString(), name(), leaseSeconds)
                .redirectError(dir.resolve(folder + ".stderr").toFile()).start();
        processes.add(process);
        return process;
    }

    private static BufferedReader reader(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }

    private static String line(BufferedReader out) throws Exception {
        String line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).get(60, TimeUnit.SECONDS);
        assertThat(line).isNotNull();
        return line;
    }

    private static void send(Process p, String line) throws IOException {
        Writer in = p.outputWriter(StandardCharsets.UTF_8);
        in.write(line + "\n");
        in.flush();
    }
}
