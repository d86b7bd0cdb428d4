package io.fleetform.state.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetform.engine.state.LockInfo;
import io.fleetform.engine.state.StateException;
import io.fleetform.engine.state.StateLock;
import io.fleetform.engine.state.StateLockedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lock file on disk and what users are told about it; two real processes are in {@link LockAcrossProcessesTest}. */
class LocalLockFileTest {
    @TempDir
    Path dir;
    Path lockFile;

    @BeforeEach
    void setUp() {
        lockFile = dir.resolve("state.json.lock");
    }

    @Test
    void theLockFileHoldsWhoLockedSinceWhenAndForWhatUntilReleased() throws Exception {
        LockInfo info = LockInfo.forOperation("apply");
        try (StateLock lock = backend().lock(info)) {
            JsonNode onDisk = new ObjectMapper().readTree(lockFile.toFile());
            assertThat(onDisk.path("id").asText()).isEqualTo(info.id());
            assertThat(onDisk.path("who").asText()).isEqualTo(info.who()).contains("pid " + ProcessHandle.current().pid());
            assertThat(onDisk.path("operation").asText()).isEqualTo("apply");
            assertThat(Instant.parse(onDisk.path("created").asText())).isEqualTo(info.created());
        }
        assertThat(lockFile).doesNotExist();
    }

    @Test
    void aLockHeldInThisProcessIsReportedAsSuchAndCannotBeForced() throws Exception {
        LockInfo info = LockInfo.forOperation("apply");
        try (StateLock lock = backend().lock(info)) {
            assertThatThrownBy(() -> backend().lock(LockInfo.forOperation("plan")))
                    .isInstanceOf(StateLockedException.class)
                    .hasMessageContaining("lock file " + lockFile)
                    .hasMessageContaining("held by this process");
            assertThatThrownBy(() -> backend().forceUnlock(info.id()))
                    .isInstanceOf(StateException.class)
                    .hasMessageContaining("not unlocking " + lockFile)
                    .hasMessageContaining("force-unlock is for locks left by processes that died");
            assertThat(lockFile).exists();
        }
    }

    @Test
    void aLockFileLeftByADeadProcessStillLocksAndSaysItsHolderProbablyDied() throws Exception {
        LockInfo dead = new LockInfo("5f0c-dead", "ops@gameops-7 (pid 4242)", "apply", Instant.parse(
                "2026-11-20T03:14:15Z"));
        Files.write(lockFile, LockInfoJson.encode(dead));

        assertThatThrownBy(() -> backend().lock(LockInfo.forOperation("plan")))
                .isInstanceOf(StateLockedException.class)
                .hasMessage("the state is locked: lock 5f0c-dead held by ops@gameops-7 (pid 4242) for apply since "
                        + "2026-11-20T03:14:15Z (lock file " + lockFile + "; no process holds it any more, so its "
                        + "holder probably died); if that process is gone, run: fleetform force-unlock 5f0c-dead");

        backend().forceUnlock("5f0c-dead");
        assertThat(lockFile).doesNotExist();
    }

    @Test
    void anUnreadableLockFileStillLocksAndCanBeForcedAsUnknown() throws Exception {
        Files.writeString(lockFile, "");

        assertThatThrownBy(() -> backend().lock(LockInfo.forOperation("plan")))
                .isInstanceOf(StateLockedException.class)
                .hasMessageContaining("an unknown process (the lock file cannot be read: it is empty)")
                .hasMessageContaining("force-unlock unknown");
        backend().forceUnlock("unknown");
        try (StateLock lock = backend().lock(LockInfo.forOperation("plan"))) {
            assertThat(lockFile).exists();
        }
    }

    /**
     * A process killed between making the lock file and writing its record left an empty lock file that locked the
     * state until a force-unlock. The lock file must appear with its record: a reader looking all the time while
     * locks are taken and released never sees one without it, and nothing is left beside it.
     */
    @Test
    void theLockFileNeverExistsWithoutItsRecord() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
        java.util.List<String> incomplete = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            while (!done.get()) {
                try {
                    byte[] b = Files.readAllBytes(lockFile);
                    seen.incrementAndGet();
                    if (b.length == 0 || !new String(b, java.nio.charset.StandardCharsets.UTF_8).contains("\"who\"")) {
                        incomplete.add(new String(b, java.nio.charset.StandardCharsets.UTF_8));
                    }
                } catch (java.io.IOException absent) {
                    Thread.onSpinWait();
                }
            }
        });
        reader.start();
        try {
            for (int i = 0; i < 300; i++) {
                try (StateLock lock = backend().lock(LockInfo.forOperation("apply " + i))) {
                    assertThat(lock.info().operation()).isEqualTo("apply " + i);
                }
            }
        } finally {
            done.set(true);
            reader.join();
        }
        assertThat(seen.get()).as("the reader saw lock files").isPositive();
        assertThat(incomplete).as("lock files seen without their record").isEmpty();
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".new")).toList()).isEmpty();
        }
    }

    @Test
    void aGarbledLockFileIsNamedInOneSentenceWithoutTheParsersSourceDump() throws Exception {
        Files.writeString(lockFile, "garbage\u0000{");

        assertThatThrownBy(() -> backend().lock(LockInfo.forOperation("plan")))
                .isInstanceOf(StateLockedException.class)
                .hasMessageContaining("the lock file cannot be read: not JSON: Unrecognized token")
                .hasMessageNotContaining("[Source").hasMessageNotContaining("\n")
                .hasMessageContaining("force-unlock unknown");
        assertThat(Files.readString(lockFile)).isEqualTo("garbage\u0000{");
    }

    @Test
    void aHolderWhoseLockFileWasDeletedByHandDoesNotDeleteTheNextOne() throws Exception {
        StateLock first = backend().lock(LockInfo.forOperation("apply"));
        Files.delete(lockFile);
        LockInfo next = LockInfo.forOperation("apply again");

        try (StateLock second = backend().lock(next)) {
            first.close();
            assertThat(new ObjectMapper().readTree(lockFile.toFile()).path("id").asText()).isEqualTo(next.id());
        }
    }

    private LocalStateBackend backend() {
        return new LocalStateBackend(dir.resolve("state.json"));
    }
}
