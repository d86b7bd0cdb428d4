package io.fleetform.state.local;

import io.fleetform.engine.state.LockInfo;
import io.fleetform.engine.state.StateLock;
import io.fleetform.engine.state.StateLockedException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A separate process contending for a state's lock, driven over stdin/stdout by
 * {@link LockAcrossProcessesTest}: prints {@code READY}, waits for {@code GO}, then prints
 * {@code LOCKED <id>} and holds the lock until stdin says {@code RELEASE}, or prints
 * {@code REFUSED <message>} and exits with status 3.
 *
 * <p>Arguments: the state file, the operation to lock for.
 */
public final class LockContender {
    public static final int REFUSED = 3;

    private LockContender() {
    }

    public static void main(String[] args) throws Exception {
        LocalStateBackend backend = new LocalStateBackend(Path.of(args[0]));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("READY");
        System.out.flush();
        if (!"GO".equals(in.readLine())) {
            System.exit(2);
        }
        StateLock lock;
        try {
            lock = backend.lock(LockInfo.forOperation(args[1]));
        } catch (StateLockedException e) {
            System.out.println("REFUSED " + e.getMessage());
            System.out.flush();
            System.exit(REFUSED);
            return;
        }
        System.out.println("LOCKED " + lock.info().id());
        System.out.flush();
        if ("RELEASE".equals(in.readLine())) {
            lock.close();
            System.out.println("RELEASED");
            System.out.flush();
        }
    }
}
