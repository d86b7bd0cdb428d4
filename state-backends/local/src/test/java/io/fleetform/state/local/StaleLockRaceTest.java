package io.fleetform.state.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.state.LockInfo;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real processes race, trial after trial, for a lock left by a process of this host that
 * died. Exactly one may get it each time; the other must be told about the live winner (never
 * the dead holder), with a force-unlock id that then works once the winner is gone.
 *
 * <p>{@code -Dfleetform.lockRace.trials=N} runs more trials than the default 50.
 */
class StaleLockRaceTest {
    private static final int TRIALS = Integer.getInteger("fleetform.lockRace.trials", 50);
    private static final long TIMEOUT_SECONDS = 60;

    @TempDir
    Path dir;
    private final List<Racer> racers = new ArrayList<>();

    @AfterEach
    void stop() {
        racers.forEach(r -> r.process.destroyForcibly());
    }

    @Test
    void aStaleLockIsTakenOverByExactlyOneOfTwoRacingProcesses() throws Exception {
        Path state = dir.resolve("state.json");
        Path lockFile = dir.resolve("state.json.lock");
        Racer a = start(state, "a");
        Racer b = start(state, "b");
        a.expect("READY");
        b.expect("READY");
        LocalStateBackend user = new LocalStateBackend(state);

        for (int trial = 0; trial < TRIALS; trial++) {
            LockInfo dead = deadHoldersLock();
            if (!Files.exists(lockFile)) {
                Files.write(lockFile, LockInfoJson.encode(dead));
            }
            long startAt = System.currentTimeMillis() + 150;
            a.send("GO " + startAt);
            b.send("GO " + startAt);
            String fromA = a.nextLine();
            String fromB = b.nextLine();

            List<String> answers = List.of(fromA, fromB);
            assertThat(answers).as("trial %d: exactly one holder", trial).filteredOn(l -> l.startsWith("LOCKED "))
                    .hasSize(1);
            Racer winner = fromA.startsWith("LOCKED ") ? a : b;
            String winnerId = (winner == a ? fromA : fromB).substring("LOCKED ".length());
            String refusal = winner == a ? fromB : fromA;
            assertThat(refusal).as("trial %d", trial)
                    .startsWith("REFUSED " + winnerId + " the state is locked: lock " + winnerId)
                    .contains("(pid " + winner.process.pid() + ")")
                    .contains("its process is still running")
                    .contains("fleetform force-unlock " + winnerId)
                    .doesNotContain(dead.id());
            assertThat(LockInfoJson.decode(Files.readAllBytes(lockFile)).id()).isEqualTo(winnerId);

            if (trial % 5 == 4) {
                // The winner's process stays, but its lock is as a crash leaves it: the id it was refused with works.
                winner.send("CRASH");
                winner.expect("DONE");
                user.forceUnlock(winnerId);
                assertThat(lockFile).doesNotExist();
            } else {
                winner.send("RELEASE");
                winner.expect("DONE");
            }
        }
        assertThat(dir.toFile().list()).as("no lock file or temporary file is left behind")
                .containsExactlyInAnyOrder("state.json.lock.guard", "a.stderr", "b.stderr");
    }

    /** The lock a process of this host left when it died: its pid is that of a process that has exited. */
    private static LockInfo deadHoldersLock() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String who = LockInfo.forOperation("x").who().replaceAll("\\(pid \\d+\\)$", "(pid " + gone.pid() + ")");
        return new LockInfo(UUID.randomUUID().toString(), who, "apply", Instant.now());
    }

    private Racer start(Path state, String name) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path stderr = dir.resolve(name + ".stderr");
        Process process = new ProcessBuilder(java.toString(), "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), LockRacer.class.getName(), state.toString())
                .redirectError(stderr.toFile())
                .start();
        Racer racer = new Racer(process, name, stderr);
        racers.add(racer);
        return racer;
    }

    private static final class Racer {
        final Process process;
        final String name;
        final Path stderr;
        final BufferedReader out;
        final Writer in;

        Racer(Process process, String name, Path stderr) {
            this.process = process;
            this.name = name;
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
            assertThat(line).as("racer %s said nothing; its stderr: %s", name, Files.readString(stderr)).isNotNull();
            return line;
        }

        void expect(String line) throws Exception {
            assertThat(nextLine()).isEqualTo(line);
        }

        void send(String line) throws IOException {
            in.write(line + "\n");
            in.flush();
        }
    }
}
