package io.fleetform.state.local;

import io.fleetform.engine.state.LockInfo;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Optional;

/**
 * Who holds a lock file, and whether that process still runs. Call only while holding
 * {@link HeldLocks#MONITOR}.
 */
record LockHolder(LockInfo info, Liveness liveness) {

    /** The id reported for a lock file whose record cannot be read. */
    static final String UNKNOWN_ID = "unknown";

    enum Liveness {
        THIS_PROCESS("held by this process"),
        RUNNING("its process is still running"),
        GONE("no process holds it any more, so its holder probably died"),
        UNKNOWN("this file system cannot tell whether its process still runs");

        private final String text;

        Liveness(String text) {
            this.text = text;
        }

        boolean alive() {
            return this == THIS_PROCESS || this == RUNNING;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** The holder of {@code lockFile}, or empty if there is no lock file (any more). */
    static Optional<LockHolder> of(Path lockFile) {
        Object fileKey;
        try {
            fileKey = fileKey(lockFile);
        } catch (NoSuchFileException gone) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(new LockHolder(unreadable(lockFile, IoErrors.describe(e)), Liveness.UNKNOWN));
        }
        Optional<LockInfo> mine = HeldLocks.holder(lockFile, fileKey);
        if (mine.isPresent()) {
            return Optional.of(new LockHolder(mine.get(), Liveness.THIS_PROCESS));
        }
        return readInfo(lockFile).map(info -> new LockHolder(info, probe(lockFile)));
    }

    static Object fileKey(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }

    private static Optional<LockInfo> readInfo(Path lockFile) {
        for (int attempt = 1; ; attempt++) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(lockFile);
            } catch (NoSuchFileException gone) {
                return Optional.empty();
            } catch (IOException e) {
                return Optional.of(unreadable(lockFile, IoErrors.describe(e)));
            }
            try {
                return Optional.of(LockInfoJson.decode(bytes));
            } catch (IOException e) {
                // A holder writes its record right after creating the file: give it a moment.
                if (attempt == 10) {
                    // a JSON error's own words, without the parser's "at [Source: ...]" second line
                    String why = e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                            ? "not JSON: " + j.getOriginalMessage() : e.getMessage();
                    return Optional.of(unreadable(lockFile, why));
                }
                pause();
            }
        }
    }

    /**
     * Tries the OS lock the holder keeps for as long as it runs. The OS drops it when a process
     * dies, however it dies; so if we can take it, nobody holds the lock file any more.
     */
    private static Liveness probe(Path lockFile) {
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return Liveness.RUNNING;
            }
            lock.release();
            return Liveness.GONE;
        } catch (OverlappingFileLockException e) {
            return Liveness.THIS_PROCESS;
        } catch (IOException e) {
            return Liveness.UNKNOWN;
        }
    }

    private static LockInfo unreadable(Path lockFile, String why) {
        Instant since;
        try {
            since = Files.getLastModifiedTime(lockFile).toInstant();
        } catch (IOException e) {
            since = Instant.EPOCH;
        }
        return new LockInfo(UNKNOWN_ID, "an unknown process (the lock file cannot be read: " + why + ")",
                "an unknown operation", since);
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
