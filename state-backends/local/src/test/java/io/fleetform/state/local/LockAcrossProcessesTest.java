package io.fleetform.state.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetform.engine.state.LockInfo;
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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two real JVMs race for one state's lock, then one of them dies holding it. */
class LockAcrossProcessesTest {
    private static final long TIMEOUT_SECONDS = 60;

    @TempDir
    Path dir;
    private final List<Contender> contenders = new ArrayList<>();

    @AfterEach
    void stopContenders() {
        contenders.forEach(c -> c.process.destroyForcibly());
    }

    @Test
    void exactlyOneProcessGetsTheLockAndTheOtherIsToldWhoHasIt() throws Exception {
        Path state = dir.resolve("state.json");
        Contender a = start(state, "apply-from-a");
        Contender b = start(state, "apply-from-b");
        a.expect("READY");
        b.expect("READY");

        a.send("GO");
        b.send("GO");
        String fromA = a.nextLine();
        String fromB = b.nextLine();

        assertThat(List.of(fromA, fromB)).filteredOn(l -> l.startsWith("LOCKED ")).hasSize(1);
        Contender winner = fromA.startsWith("LOCKED ") ? a : b;
        Contender loser = winner == a ? b : a;
        String winnerId = (winner == a ? fromA : fromB).substring("LOCKED ".length());
        String refusal = winner == a ? fromB : fromA;
        assertThat(refusal).startsWith("REFUSED the state is locked: lock " + winnerId)
                .contains("(pid " + winner.process.pid() + ")")
                .contains("for " + winner.operation + " since ")
                .contains("its process is still running")
                .contains("fleetform force-unlock " + winnerId);
        assertThat(loser.process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(loser.process.exitValue()).isEqualTo(LockContender.REFUSED);
        assertThat(Files.readString(dir.resolve("state.json.lock"))).contains(winnerId);

        LocalStateBackend user = new LocalStateBackend(state);
        assertThatThrownBy(() -> user.forceUnlock(winnerId))
                .isInstanceOf(StateException.class)
                .hasMessageContaining("its process is still running")
                .hasMessageContaining("force-unlock is for locks left by processes that died");

        winner.process.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
        assertThat(winner.process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();

        // The holder ran on this host and is gone: its lock is taken over without force-unlock.
        try (StateLock mine = user.lock(LockInfo.forOperation("plan"))) {
            assertThat(Files.readString(dir.resolve("state.json.lock"))).contains(mine.info().id());
        }
    }

    @Test
    void aProcessThatReleasesLetsTheNextOneIn() throws Exception {
        Path state = dir.resolve("state.json");
        Contender holder = start(state, "apply");
        holder.expect("READY");
        holder.send("GO");
        assertThat(holder.nextLine()).startsWith("LOCKED ");

        holder.send("RELEASE");
        holder.expect("RELEASED");
        assertThat(holder.process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();

        try (StateLock mine = new LocalStateBackend(state).lock(LockInfo.forOperation("plan"))) {
            assertThat(mine.info().operation()).isEqualTo("plan");
        }
    }

    @Test
    void lookingAtOurOwnLockDoesNotLetOtherProcessesThinkWeDied() throws Exception {
        Path state = dir.resolve("state.json");
        Path alias = Files.createSymbolicLink(dir.resolve("alias"), dir);
        try (StateLock held = new LocalStateBackend(state).lock(LockInfo.forOperation("apply"))) {
            // POSIX drops a process's lock when it closes any descriptor of the file: these must not open it.
            assertThatThrownBy(() -> new LocalStateBackend(state).lock(LockInfo.forOperation("plan")))
                    .isInstanceOf(StateLockedException.class).hasMessageContaining("held by this process");
            assertThatThrownBy(() -> new LocalStateBackend(alias.resolve("state.json")).lock(LockInfo.forOperation("plan")))
                    .isInstanceOf(StateLockedException.class).hasMessageContaining("held by this process");
            assertThatThrownBy(() -> new LocalStateBackend(state).forceUnlock(held.info().id()))
                    .isInstanceOf(StateException.class);

            Contender other = start(state, "plan");
            other.expect("READY");
            other.send("GO");
            assertThat(other.nextLine()).startsWith("REFUSED the state is locked: lock " + held.info().id())
                    .contains("(pid " + ProcessHandle.current().pid() + ")")
                    .contains("its process is still running");
        }
    }

    private Contender start(Path state, String operation) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), LockContender.class.getName(), state.toString(), operation)
                .redirectError(dir.resolve(operation + ".stderr").toFile())
                .start();
        Contender contender = new Contender(process, operation, dir.resolve(operation + ".stderr"));
        contenders.add(contender);
        return contender;
    }

    private static final class Contender {
        final Process process;
        final String operation;
        final Path stderr;
        final BufferedReader out;
        final Writer in;

        Contender(Process process, String operation, Path stderr) {
            this.process = process;
            this.operation = operation;
            this.stderr = stderr;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.in = process.outputWriter(StandardCharsets.UTF_8);
        }

        String nextLine() throws Exception {
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertThat(line).as("%s said nothing; its stderr: %s", operation, stderrText()).isNotNull();
            return line;
        }

        void expect(String line) throws Exception {
            assertThat(nextLine()).isEqualTo(line);
        }

        void send(String line) throws IOException {
            in.write(line + "\n");
            in.flush();
        }

        private String stderrText() {
            try {
                return Files.readString(stderr);
            } catch (IOException e) {
                return "(unreadable: " + e + ")";
            }
        }
    }
}
