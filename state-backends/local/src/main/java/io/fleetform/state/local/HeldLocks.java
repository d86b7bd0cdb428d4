package io.fleetform.state.local;

import io.fleetform.engine.state.LockInfo;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The lock files this JVM holds. POSIX record locks belong to the whole process, and closing
 * <em>any</em> descriptor of a file drops them; so while this JVM holds a lock it must never
 * open that lock file again, not even to read who holds it. It answers from here instead.
 *
 * <p>Files are known by their file key (device and inode), so two spellings of one path, or a
 * symlink, still find the holder. Every lock file operation in this JVM runs while holding
 * {@link #MONITOR}, so that no thread opens a lock file another thread is about to lock.
 */
final class HeldLocks {
    static final Object MONITOR = new Object();
    private static final Map<Object, LockInfo> HELD = new HashMap<>();

    private HeldLocks() {
    }

    static void add(Path lockFile, Object fileKey, LockInfo info) {
        HELD.put(identity(lockFile, fileKey), info);
    }

    /** The holder, if this JVM holds the lock file that is now at {@code lockFile} with {@code fileKey}. */
    static Optional<LockInfo> holder(Path lockFile, Object fileKey) {
        return Optional.ofNullable(HELD.get(identity(lockFile, fileKey)));
    }

    static void remove(Path lockFile, Object fileKey, LockInfo info) {
        HELD.remove(identity(lockFile, fileKey), info);
    }

    /** Platforms without file keys (Windows) also have no POSIX locks to lose: the path will do. */
    private static Object identity(Path lockFile, Object fileKey) {
        return fileKey != null ? fileKey : lockFile;
    }
}
