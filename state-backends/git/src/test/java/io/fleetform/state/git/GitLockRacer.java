package io.fleetform.state.git;

import io.fleetform.engine.state.LockInfo;
import io.fleetform.engine.state.StateLock;
import io.fleetform.engine.state.StateLockedException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A separate process racing for the git lock, as a second machine would (its own working folder),
 * driven by {@link GitStateScenariosTest}: {@code GO <epoch millis>} → {@code LOCKED <id>} or
 * {@code REFUSED <holder id> <message>}; a holder waits for {@code RELEASE}, then prints {@code DONE};
 * {@code HOLD} makes it take the lock and wait to be killed. Arguments: working folder, url.
 */
public final class GitLockRacer {
    private GitLockRacer() {
    }

    public static void main(String[] args) throws Exception {
        GitStateBackend backend = GitStateBackendContractTest.backend(Path.of(args[0]), args[1]);
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
            } catch (io.fleetform.engine.state.StateException e) {
                System.out.println("ERROR " + e.getMessage());
                System.out.flush();
                continue;
            }
            System.out.println("LOCKED " + lock.info().id());
            System.out.flush();
            if ("RELEASE".equals(in.readLine())) {
                lock.close();
            }
            System.out.println("DONE");
            System.out.flush();
        }
    }
}
