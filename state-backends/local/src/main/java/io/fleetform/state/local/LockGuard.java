package io.fleetform.state.local;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A short-lived OS lock on {@code state.json.lock.guard}, taken by whoever finds the state locked,
 * for as long as it looks at the lock file and, if its holder died, replaces it. Without it, two
 * processes that both saw a dead holder's lock could each replace it, the second replacing the
 * first one's fresh lock: two holders. With it, the second one looks again after the first is
 * done and finds the new, live holder.
 *
 * <p>The guard file is never deleted and holds nothing: the OS lock on it is released when its
 * process dies, however it dies, so the guard itself can never be left stale. Call only while
 * holding {@link HeldLocks#MONITOR} (POSIX locks belong to the process, not the thread).
 */
final class LockGuard implements AutoCloseable {
    private static final long WAIT_MILLIS = 30_000;

    private final FileChannel channel;
    private final FileLock lock;

    private LockGuard(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Waits for the guard; it is only ever held for the few milliseconds a look or a takeover
     * takes. Returns a guard that guards nothing on file systems without OS locks (some network
     * file systems), where takeovers are not made anyway since no holder can be seen to be dead.
     */
    static LockGuard acquire(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000;
        try {
            while (true) {
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (IOException unsupported) {
                    return new LockGuard(channel, null);
                }
                if (lock != null) {
                    return new LockGuard(channel, lock);
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("another process has held " + file + " for more than "
                            + WAIT_MILLIS / 1000 + " s while looking at the lock; try again");
                }
                Thread.sleep(2);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            channel.close();
            throw new IOException("interrupted while waiting for " + file, e);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            if (lock != null) {
                lock.release();
            }
            channel.close();
        } catch (IOException ignored) {
            // closing the descriptor releases the lock whatever release() said
        }
    }
}
