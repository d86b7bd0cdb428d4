package io.fleetform.state.git;

import static io.fleetform.engine.state.SampleStates.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetform.engine.state.LockInfo;
import io.fleetform.engine.state.SampleStates;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateException;
import io.fleetform.engine.state.StateHistory;
import io.fleetform.engine.state.StateJournal;
import io.fleetform.engine.state.StateLock;
import io.fleetform.engine.state.StateLockedException;
import io.fleetform.engine.testing.Loopback;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a team sees with the git backend: two machines (two working folders) on one repository,
 * served by a real {@code git daemon} on loopback, and the same over file://.
 * {@code -Dfleetform.lockRace.trials=N} runs more lock-race trials than the default 50.
 */
class GitStateScenariosTest {
    private static final int TRIALS = Integer.getInteger("fleetform.lockRace.trials", 50);

    @TempDir
    Path dir;
    Path bare;
    Process daemon;
    String url;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void serve() throws Exception {
        bare = GitStateBackendContractTest.bareRepo(dir);
        int port = Loopback.freePort();
        daemon = new ProcessBuilder("git", "daemon", "--reuseaddr", "--export-all", "--enable=receive-pack",
                "--listen=127.0.0.1", "--port=" + port, "--base-path=" + dir, dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("daemon.log").toFile()).start();
        processes.add(daemon);
        for (int i = 0; i < 100; i++) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                break;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        url = "git://127.0.0.1:" + port + "/remote.git";
    }

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
    }

    private GitStateBackend machine(String name) throws Exception {
        return GitStateBackendContractTest.backend(dir.resolve(name), url);
    }

    @Test
    void aWriteThatIsNotAFastForwardOfWhatThisRunReadStopsAndOverwritesNothing() throws Exception {
        GitStateBackend a = machine("a");
        GitStateBackend b = machine("b");
        State first = SampleStates.withServices(2, 1);
        a.write(first);
        assertThat(a.read()).contains(first);
        assertThat(b.read()).contains(first);
        State fromB = first.with(service("zone.s7.service.b[0]")).nextSerial();
        b.write(fromB);

        assertThatThrownBy(() -> a.write(first.with(service("zone.s8.service.a[0]")).nextSerial()))
                .isInstanceOf(StateException.class)
                .hasMessageContaining("someone else wrote it since this run read it")
                .hasMessageContaining("nothing is ever force-pushed");
        assertThat(machine("c").read()).contains(fromB);
    }

    @Test
    void everyWriteIsACommitSayingSerialCommandAndWhoAndOldOnesCanBeReadAndRestored() throws Exception {
        GitStateBackend ops = machine("ops");
        State one = SampleStates.withServices(1, 1);
        State two = one.with(service("zone.s2.service.x[0]")).nextSerial();
        try (StateLock lock = ops.lock(LockInfo.forOperation("apply"))) {
            ops.write(one);
            ops.write(two);
        }
        ops.write(two.without(service("zone.s2.service.x[0]").address()).nextSerial());

        List<StateHistory.Version> history = ops.history();
        assertThat(history).extracting(StateHistory.Version::serial).containsExactly(3L, 2L, 1L);
        assertThat(history.get(1).command()).isEqualTo("apply");
        assertThat(history.get(1).who()).contains("(pid " + ProcessHandle.current().pid() + ")");
        String log = TestGit.run(dir, "git", "--git-dir", bare.toString(), "log", "--format=%s", "fleetform-state");
        assertThat(log).contains("fleetform state serial 2: apply by ");
        assertThat(ops.readSerial(2)).contains(two);

        State restored = ops.restore(ops.readSerial(2).orElseThrow(), "state restore --serial 2");
        assertThat(restored.serial()).isEqualTo(4);
        assertThat(machine("other").read().orElseThrow().resources()).isEqualTo(two.resources());
    }

    @Test
    void aHandEditedOrTruncatedRemoteStateIsAClearErrorAndTheLastGoodOneCanBeRestored() throws Exception {
        GitStateBackend ops = machine("ops");
        State good = SampleStates.withServices(3, 1);
        ops.write(good);
        ops.write(good.with(service("zone.s4.service.y[0]")).nextSerial());
        TestGit.commitFile(bare, "fleetform-state", "t/state.json", "{\"version\": 1, \"lineage\": \"".getBytes(
                StandardCharsets.UTF_8), "truncated by hand");

        GitStateBackend next = machine("next");
        assertThatThrownBy(next::read).isInstanceOf(StateException.class)
                .hasMessageContaining("t/state.json at commit ")
                .hasMessageContaining(url)
                .hasMessageContaining("cut short")
                .hasMessageContaining("The last good state is serial 2")
                .hasMessageContaining("fleetform state restore-backup");

        State restored = next.restoreBackup();
        assertThat(restored.serial()).isEqualTo(3);
        assertThat(machine("third").read()).contains(restored);
        assertThat(restored.resources()).containsKey(service("zone.s4.service.y[0]").address());
    }

    @Test
    void aHolderKilledWithSigkillKeepsTheLockUntilForceUnlockWithTheIdItWasRefusedWith() throws Exception {
        Process holder = racer("holder");
        BufferedReader out = reader(holder);
        assertThat(line(out)).isEqualTo("READY");
        send(holder, "GO 0");
        String locked = line(out);
        assertThat(locked).startsWith("LOCKED ");
        String id = locked.substring("LOCKED ".length());
        holder.destroyForcibly();
        holder.waitFor(60, TimeUnit.SECONDS);

        GitStateBackend ops = machine("ops");
        Throwable refused = org.assertj.core.api.Assertions.catchThrowable(() -> ops.lock(LockInfo.forOperation("plan")));
        assertThat(refused).isInstanceOf(StateLockedException.class)
                .hasMessageContaining("lock " + id)
                .hasMessageContaining("refs/fleetform/locks/t")
                .hasMessageContaining("stays until")
                .hasMessageContaining("fleetform force-unlock " + id);
        ops.forceUnlock(id);
        try (StateLock mine = ops.lock(LockInfo.forOperation("plan"))) {
            assertThat(mine.info().operation()).isEqualTo("plan");
        }
    }

    @Test
    void twoMachinesRacingForTheLockNeverBothGetIt() throws Exception {
        Process a = racer("a");
        Process b = racer("b");
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
            Process winner = aWon ? a : b;
            send(winner, "RELEASE");
            assertThat(line(aWon ? outA : outB)).isEqualTo("DONE");
        }
        assertThat(TestGit.run(dir, "git", "--git-dir", bare.toString(), "for-each-ref", "refs/fleetform/locks"))
                .isEmpty();
    }

    @Test
    void journalRecordsReachTheRemoteWithinThePushIntervalSoAnotherMachineSeesThem() throws Exception {
        GitStateBackend runner = machine("ci-runner");
        State base = SampleStates.withServices(2, 1);
        runner.write(base);
        StateJournal journal = runner.journal(base);
        journal.put(service("zone.s5.service.new[0]"));
        // The CI runner's disk is gone now: another machine has only what was pushed.
        State seen = null;
        for (int i = 0; i < 50; i++) {
            seen = machine("laptop").read().orElseThrow();
            if (seen.resources().containsKey(service("zone.s5.service.new[0]").address())) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(seen).isEqualTo(base.with(service("zone.s5.service.new[0]")));
        journal.close();
        State last = base.with(service("zone.s5.service.new[0]")).nextSerial();
        runner.write(last);
        assertThat(TestGit.run(dir, "git", "--git-dir", bare.toString(), "for-each-ref", "refs/fleetform/journals"))
                .as("the journal ref goes once folded").isEmpty();
        assertThat(machine("laptop2").read()).contains(last);
    }

    @Test
    void anEncryptedStateIsUnreadableInTheRepositoryAndAWrongKeyChangesNothing() throws Exception {
        io.fleetform.engine.state.StateEncryption key = io.fleetform.engine.state.StateEncryption.fromEnvironment(
                java.util.Map.of("FLEETFORM_STATE_PASSPHRASE", "team state passphrase"));
        io.fleetform.engine.state.StateEncryption other = io.fleetform.engine.state.StateEncryption.fromEnvironment(
                java.util.Map.of("FLEETFORM_STATE_PASSPHRASE", "somebody else's passphrase"));
        GitStateBackend ops = (GitStateBackend) new GitStateBackendFactory().create(dir.resolve("ops"),
                java.util.Map.of("url", url, "fleet", "t"), key);
        State state = SampleStates.full();
        ops.write(state);
        ops.journal(state).put(service("zone.s3.service.hidden[0]"));

        String blob = TestGit.run(dir, "git", "--git-dir", bare.toString(), "show", "fleetform-state:t/state.json");
        assertThat(blob).contains("AES-256-GCM").doesNotContain(state.lineage()).doesNotContain("zone.s");
        GitStateBackend wrong = (GitStateBackend) new GitStateBackendFactory().create(dir.resolve("other"),
                java.util.Map.of("url", url, "fleet", "t"), other);
        assertThatThrownBy(wrong::read).isInstanceOf(StateException.class).hasMessageContaining("t/state.json at commit")
                .hasMessageContaining("wrong key?");
        assertThat(TestGit.run(dir, "git", "--git-dir", bare.toString(), "show", "fleetform-state:t/state.json"))
                .isEqualTo(blob);
        GitStateBackend right = (GitStateBackend) new GitStateBackendFactory().create(dir.resolve("ops"),
                java.util.Map.of("url", url, "fleet", "t"), key);
        assertThat(right.read()).contains(state.with(service("zone.s3.service.hidden[0]")));
    }

    private Process racer(String name) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp",
                System.getProperty("java.class.path"), GitLockRacer.class.getName(), dir.resolve(name).toString(), url)
                .redirectError(dir.resolve(name + ".stderr").toFile()).start();
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
