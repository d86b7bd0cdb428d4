package io.fleetform.state.local;

import io.fleetform.engine.state.LockInfo;
import io.fleetform.engine.state.StateException;
import io.fleetform.engine.state.StateLock;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * A held lock file. Besides the file (which excludes everyone who can see it, and says who holds
 * it), the holder keeps an OS lock on it for as long as it runs: the OS drops that lock when the
 * process dies, which is how others tell a running holder from a dead one.
 *
 * <p>The file stays open until {@link #close}, so its inode cannot be reused: a lock file at our
 * path with our file key is still ours, not one someone created after a force-unlock.
 */
final class LocalLock implements StateLock {
    private final Path file;
    private final FileChannel channel;
    private final Object fileKey;
    private final LockInfo info;
    private FileLock osLock;
    private boolean closed;

    private LocalLock(Path file, FileChannel channel, FileLock osLock, Object fileKey, LockInfo info) {
        this.file = file;
        this.channel = channel;
        this.osLock = osLock;
        this.fileKey = fileKey;
        this.info = info;
    }

    /**
     * Creates the lock file, failing with {@link java.nio.file.FileAlreadyExistsException} if it
     * exists. Call only while holding {@link HeldLocks#MONITOR}.
     */
    static LocalLock create(Path file, LockInfo info) throws IOException {
        // The record is written and OS-locked aside, then published under the lock's name with a hard link, which
        // fails if a lock file is there: a process killed on the way leaves no lock file, or a complete one (a lock
        // file created empty and killed before its record was written locked the state until a force-unlock).
        Path fresh = Files.createTempFile(file.getParent(), file.getFileName() + ".", ".new");
        FileChannel channel = FileChannel.open(fresh, StandardOpenOption.WRITE);
        boolean linked = false;
        try {
            FileLock osLock = osLock(channel);
            Durable.writeFully(channel, LockInfoJson.encode(info));
            channel.force(true);
            try {
                Files.createLink(file, fresh);
            } catch (java.nio.file.FileAlreadyExistsException taken) {
                throw taken;
            } catch (UnsupportedOperationException | java.nio.file.FileSystemException noLinks) {
                channel.close();
                Files.deleteIfExists(fresh);
                return createInPlace(file, info); // a file system without hard links
            }
            linked = true;
            Files.delete(fresh);
            Durable.syncDirectory(file.getParent());
            return held(file, channel, osLock, info);
        } catch (IOException | RuntimeException e) {
            if (channel.isOpen()) {
                channel.close();
            }
            Files.deleteIfExists(fresh);
            if (linked) {
                Files.deleteIfExists(file);
            }
            throw e;
        }
    }

    private static LocalLock createInPlace(Path file, LockInfo info) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            FileLock osLock = osLock(channel);
            Durable.writeFully(channel, LockInfoJson.encode(info));
            channel.force(true);
            Durable.syncDirectory(file.getParent());
            return held(file, channel, osLock, info);
        } catch (IOException | RuntimeException e) {
            channel.close();
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /**
     * Replaces the lock file at {@code file} (left by a dead process) with a new one of ours in
     * one rename: the new file is written and OS-locked aside first, so there is never a moment
     * without a lock file, and nobody ever deletes a lock file someone else just created. Call only
     * while holding {@link HeldLocks#MONITOR} and the {@link LockGuard}, having checked that the
     * lock file there now is the dead one.
     */
    static LocalLock takeOver(Path file, LockInfo info) throws IOException {
        Path fresh = Files.createTempFile(file.getParent(), file.getFileName() + ".", ".new");
        FileChannel channel = FileChannel.open(fresh, StandardOpenOption.WRITE);
        try {
            FileLock osLock = osLock(channel);
            Durable.writeFully(channel, LockInfoJson.encode(info));
            channel.force(true);
            Durable.replace(fresh, file);
            return held(file, channel, osLock, info);
        } catch (IOException | RuntimeException e) {
            channel.close();
            Files.deleteIfExists(fresh);
            throw e;
        }
    }

    /** The lock file at {@code file} is ours and complete: this process holds it from now on. */
    private static LocalLock held(Path file, FileChannel channel, FileLock osLock, LockInfo info) throws IOException {
        Object fileKey = LockHolder.fileKey(file);
        HeldLocks.add(file, fileKey, info);
        return new LocalLock(file, channel, osLock, fileKey, info);
    }

    private static FileLock osLock(FileChannel channel) {
        try {
            // Blocks only while someone probes this brand-new file, which takes microseconds.
            return channel.lock();
        } catch (IOException unsupported) {
            // Some network file systems have no record locks; the lock file alone still excludes.
            return null;
        }
    }

    @Override
    public LockInfo info() {
        return info;
    }

    @Override
    public void close() throws StateException {
        synchronized (HeldLocks.MONITOR) {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if (stillOurs()) {
                    Files.deleteIfExists(file);
                }
            } catch (IOException e) {
                throw new StateException("cannot remove lock file " + file + ": " + IoErrors.describe(e)
                        + "; remove it by hand once no Fleetform runs on this state", e);
            } finally {
                HeldLocks.remove(file, fileKey, info);
                releaseOsLock();
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // the lock file is gone or not ours; an unclosable descriptor changes neither
                }
            }
        }
    }

    /**
     * What the death of this process does to its lock: the OS lock goes, the file stays. Lets
     * tests create a left-over lock without killing the JVM that runs them.
     */
    void simulateCrash() {
        synchronized (HeldLocks.MONITOR) {
            HeldLocks.remove(file, fileKey, info);
            releaseOsLock();
        }
    }

    private boolean stillOurs() throws IOException {
        Object current;
        try {
            current = LockHolder.fileKey(file);
        } catch (NoSuchFileException removedByHand) {
            return false;
        }
        if (fileKey != null) {
            return fileKey.equals(current);
        }
        // No file keys on this platform (Windows): go by the record inside.
        return Objects.equals(LockInfoJson.decode(Files.readAllBytes(file)).id(), info.id());
    }

    private void releaseOsLock() {
        if (osLock != null && osLock.isValid()) {
            try {
                osLock.release();
            } catch (IOException ignored) {
                // closing the channel releases it as well
            }
        }
        osLock = null;
    }
}
