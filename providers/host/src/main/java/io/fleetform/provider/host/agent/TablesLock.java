package io.fleetform.provider.host.agent;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Supplier;

/**
 * One agent at a time on a host decides and makes the agent bridges' shared rules (the chain and its one jump first
 * in FORWARD). A restore applies what one listing showed, and {@code iptables-restore} has no compare-and-set: two
 * agents that both listed no jump both inserted one (seen when the chain was left by another bridge). So the listing
 * and its restore are one step under a lock that every agent of the host takes: a file lock on the host's
 * {@code /run} (agents in other processes, the kernel frees it with the process) and, in one JVM, a monitor (the
 * JVM gives one file lock per file to the whole process).
 */
final class TablesLock {
    static final Path FILE = Path.of("/run/fleetform/agent-bridges.lock");
    private static final Object IN_PROCESS = new Object();

    private TablesLock() {
    }

    /** Runs {@code step} holding the host's lock (only the in-process one where {@code /run} cannot hold a file). */
    static <T> T holding(Supplier<T> step) {
        synchronized (IN_PROCESS) {
            FileChannel ch = open();
            if (ch == null) {
                return step.get();
            }
            try (ch; FileLock ignored = ch.lock()) {
                return step.get();
            } catch (IOException e) {
                throw new AgentBridges.ShellException(java.util.List.of("lock", FILE.toString()),
                        "cannot hold it while changing the agent bridges' iptables rules: " + e.getMessage());
            }
        }
    }

    private static FileChannel open() {
        try {
            Files.createDirectories(FILE.getParent());
            return FileChannel.open(FILE, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException | UnsupportedOperationException e) {
            return null; // not root, or a read-only /run: the restore's own retry on a changed table still applies
        }
    }
}
