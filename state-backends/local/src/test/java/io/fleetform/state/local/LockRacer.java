package io.fleetform.state.local;

import io.fleetform.engine.state.LockInfo;
import io.fleetform.engine.state.StateLock;
import io.fleetform.engine.state.StateLockedException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A separate process that races for a state's lock once per trial, driven by {@link StaleLockRaceTest}
 * over stdin/stdout: {@code GO <epoch millis>} makes it wait until that moment and try, then print
 * {@code LOCKED <id>} or {@code REFUSED <holder id> <message>}; a holder then waits for
 * {@code RELEASE} (closes the lock) or {@code CRASH} (drops its OS lock as a dead process would,
 * leaving the file) and prints {@code DONE}. Arguments: the state file.
 */
public final class LockRacer {
    private LockRacer() {
    }

    public static void main(String[] args) throws Exception {
        LocalStateBackend backend = new LocalStateBackend(Path.of(args[0]));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("READY");
        System.out.flush();
        for (String line = in.readLine(); line != null && line.startsWith("GO "); line = in.readLine()) {
            long startAt = Long.parseLong(line.substring(3));
            while (System.currentTimeMillis() < startAt) {
                Thread.onSpinWait();
            }
            StateLock lock;
            try {
                lock = backend.lock(LockInfo.forOperation("race"));
            } catch (StateLockedException e) {
                System.out.println("REFUSED " + e.holder().id() + " " + e.getMessage());
                System.out.flush();
                continue;
            }
            System.out.println("LOCKED " + lock.info().id());
            System.out.flush();
            String next = in.readLine();
            if ("CRASH".equals(next)) {
                ((LocalLock) lock).simulateCrash();
            } else {
                lock.close();
            }
            System.out.println("DONE");
            System.out.flush();
        }
    }
}
