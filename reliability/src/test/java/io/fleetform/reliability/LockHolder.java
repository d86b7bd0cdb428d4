package io.fleetform.reliability;

import io.fleetform.engine.state.LockInfo;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateBackend;
import io.fleetform.engine.state.StateBackendFactory;
import io.fleetform.engine.state.StateException;
import io.fleetform.engine.state.StateLock;
import io.fleetform.engine.state.StateLockedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.ServiceLoader;

/**
 * One racer of {@link LockTrial}, a separate JVM: it takes the state's lock through the real
 * backend, again and again, and records in the shared journal (one append per line, so the
 * file's order is the order in which the lines were written) when it enters and leaves its
 * critical section. Inside it uses the state's serial as a fencing token: it reads the state,
 * writes it back with the serial one higher, waits a little and reads it again; a serial that
 * moved meanwhile means someone else wrote while it held the lock ({@code FENCE}).
 *
 * <p>Arguments: backend name, working folder, journal file, racer name, rounds, then settings
 * as {@code key=value}.
 */
public final class LockHolder {
    private LockHolder() {
    }

    public static void main(String[] args) throws Exception {
        String backendName = args[0];
        Path workingDir = Path.of(args[1]);
        Path journal = Path.of(args[2]);
        String name = args[3];
        int rounds = Integer.parseInt(args[4]);
        Map<String, String> settings = new HashMap<>();
        for (int i = 5; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            settings.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        StateBackendFactory factory = ServiceLoader.load(StateBackendFactory.class).stream()
                .map(ServiceLoader.Provider::get).filter(f -> f.name().equals(backendName)).findFirst().orElseThrow();
        StateBackend backend = factory.create(workingDir, settings);
        Random random = new Random(name.hashCode() ^ ProcessHandle.current().pid());
        long deadline = System.currentTimeMillis() + 90_000;
        int done = 0;
        while (done < rounds && System.currentTimeMillis() < deadline) {
            StateLock lock;
            try {
                lock = backend.lock(LockInfo.forOperation("lock trial"));
            } catch (StateLockedException e) {
                Thread.sleep(20 + random.nextInt(80));
                continue;
            } catch (StateException e) {
                append(journal, "ERROR " + name + " " + oneLine(e.getMessage()));
                Thread.sleep(100 + random.nextInt(200));
                continue;
            }
            String id = lock.info().id();
            append(journal, "ENTER " + name + " " + id + " " + ProcessHandle.current().pid());
            try {
                Optional<State> before = backend.read();
                State base = before.orElse(State.empty());
                long token = base.serial() + 1;
                backend.write(new State(base.version(), base.lineage(), token, base.resources(), base.outputs(),
                        base.applies(), base.rollout()));
                append(journal, "WROTE " + name + " " + token);
                Thread.sleep(50 + random.nextInt(300));
                long now = backend.read().map(State::serial).orElse(-1L);
                if (now != token) {
                    append(journal, "FENCE " + name + " wrote serial " + token + " and then read " + now);
                }
            } catch (StateException e) {
                append(journal, "ERROR " + name + " " + oneLine(e.getMessage()));
            } finally {
                // Out of the critical section before the lock goes: the journal never shows an exit too late.
                append(journal, "EXIT " + name + " " + id);
                lock.close();
            }
            done++;
            Thread.sleep(random.nextInt(60));
        }
        append(journal, "DONE " + name + " " + done);
    }

    static synchronized void append(Path journal, String line) throws IOException {
        Files.write(journal, (line + "\n").getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ');
    }
}
