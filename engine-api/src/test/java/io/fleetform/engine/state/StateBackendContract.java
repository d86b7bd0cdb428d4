package io.fleetform.engine.state;

import static io.fleetform.engine.state.SampleStates.address;
import static io.fleetform.engine.state.SampleStates.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.fleetform.engine.resource.ResourceLifecycle;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link StateBackend} must do, whatever it keeps the state in. A backend module
 * depends on engine's test-jar and extends this class; the hooks below are the few things a
 * generic test cannot do through the SPI (simulating crashes and other processes).
 *
 * <p>Decisions this contract pins down, beyond the SPI's javadoc:
 * <ul>
 *   <li>Serial numbers are the caller's business: the backend stores what it is given, lower or
 *       equal serials included, and never merges a write with what was stored before.</li>
 *   <li>Journal records apply on top of the {@code base} the journal was opened with, even if
 *       that base had not been written yet.</li>
 *   <li>A journal that does not belong to the stored state (another lineage or serial, e.g. after
 *       a backup was restored by hand) is refused with an error naming both, never applied or
 *       dropped silently; a {@code write} replaces it like everything else.</li>
 *   <li>Recording into a journal after {@code write} folded it fails instead of losing the record.</li>
 *   <li>{@code forceUnlock} without a lock, or with another lock's id, refuses.</li>
 * </ul>
 */
public abstract class StateBackendContract {

    @TempDir
    protected Path dir;

    /**
     * A backend over the store kept in {@code dir}. Two calls give two independent users of one
     * store, the way two processes would be.
     */
    protected abstract StateBackend newBackend(Path dir) throws Exception;

    /** Leaves the journal as a crash in the middle of appending a record would: a partial last record. */
    protected abstract void tearJournalTail(Path dir) throws Exception;

    /**
     * Puts {@code state} in the store behind the backend's back, as a user restoring a backup by
     * hand would: any journal stays where it is.
     */
    protected abstract void replaceStoredStateByHand(Path dir, State state) throws Exception;

    /** The previous state the backend kept as a backup, if any. */
    protected abstract Optional<State> readBackup(Path dir) throws Exception;

    /** Makes the lock look left over by a process that died: the lock stays, its owner is gone. */
    protected abstract void killHolder(StateLock lock) throws Exception;

    // ---------------------------------------------------------------- store

    @Test
    void anEmptyStoreHasNoState() throws Exception {
        assertThat(newBackend(dir).read()).isEmpty();
    }

    @Test
    void aWrittenStateReadsBackWhole() throws Exception {
        State state = SampleStates.full();
        newBackend(dir).write(state);

        State read = newBackend(dir).read().orElseThrow();

        assertThat(read).isEqualTo(state);
        ResourceState logic = read.resource(address("zone.s1.service.logic[0]")).orElseThrow();
        assertThat(logic.sensitive()).containsExactly("env");
        assertThat((String) logic.attributes().get("env")).startsWith(SecretHasher.PREFIX).doesNotContain("hunter2");
        assertThat(logic.dependsOn()).containsExactly(address("zone.s1"), address("image.gamesvr"));
        assertThat(logic.lifecycle()).isEqualTo(new ResourceLifecycle(true, List.of("replicas", "labels"), true));
        assertThat(read.outputs()).containsEntry("zone_count", 40L).containsEntry("zones", List.of("s1", "s2"));
        assertThat(read.serial()).isEqualTo(3);
        assertThat(read.lineage()).isEqualTo(state.lineage());
    }

    @Test
    void aWriteKeepsThePreviousStateAsBackup() throws Exception {
        StateBackend backend = newBackend(dir);
        State first = SampleStates.withServices(3, 1);
        State second = first.with(service("zone.s9.service.chat[0]")).nextSerial();
        State third = second.without(address("zone.s0.service.logic[0]")).nextSerial();

        backend.write(first);
        assertThat(readBackup(dir)).isEmpty();
        backend.write(second);
        assertThat(readBackup(dir)).contains(first);
        backend.write(third);

        assertThat(readBackup(dir)).contains(second);
        assertThat(newBackend(dir).read()).contains(third);
    }

    @Test
    void readersSeeTheOldOrTheNewStateNeverAMix() throws Exception {
        State a = SampleStates.withServices(300, 1);
        State b = SampleStates.withServices(200, 2).withOutputs(Map.of("generation", "b"));
        StateBackend writer = newBackend(dir);
        StateBackend reader = newBackend(dir);
        writer.write(a);

        ExecutorService pool = Executors.newSingleThreadExecutor();
        AtomicBoolean writing = new AtomicBoolean(true);
        try {
            Future<?> writes = pool.submit(() -> {
                try {
                    for (int i = 0; i < 40; i++) {
                        writer.write(i % 2 == 0 ? b : a);
                    }
                } finally {
                    writing.set(false);
                }
                return null;
            });
            int reads = 0;
            while (writing.get() || reads == 0) {
                Optional<State> seen = reader.read();
                assertThat(seen).as("read number %d", reads).isPresent();
                assertThat(seen.get()).as("read number %d", reads).isIn(a, b);
                reads++;
            }
            writes.get(1, TimeUnit.MINUTES);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void serialsAreTheCallersBusinessAndAWriteStoresExactlyWhatItIsGiven() throws Exception {
        StateBackend backend = newBackend(dir);
        State five = SampleStates.withServices(2, 5);
        backend.write(five);

        State sameSerialMore = five.with(service("zone.s7.service.chat[0]"));
        backend.write(sameSerialMore);
        assertThat(newBackend(dir).read()).contains(sameSerialMore);

        State lower = new State(five.version(), five.lineage(), 2, five.resources(), Map.of());
        backend.write(lower);
        assertThat(newBackend(dir).read()).contains(lower);
    }

    @Test
    void aLargeStateLosesNoResource() throws Exception {
        State large = SampleStates.withServices(5_000, 9);
        newBackend(dir).write(large);

        State read = newBackend(dir).read().orElseThrow();

        assertThat(read.resources()).hasSize(5_000);
        assertThat(read).isEqualTo(large);
    }

    // ---------------------------------------------------------------- journal

    @Test
    void journalRecordsSurviveACrashBeforeTheFinalWrite() throws Exception {
        StateBackend apply = newBackend(dir);
        State base = SampleStates.withServices(3, 4);
        apply.write(base);
        ResourceState added = service("zone.s5.service.chat[0]");
        ResourceState changed = new ResourceState(address("zone.s0.service.logic[1]"), "k8s_deployment", "k8s",
                Map.of("replicas", 9), Set.of(), List.of(), null);

        StateJournal journal = apply.journal(base);
        journal.put(added);
        journal.put(changed);
        journal.remove(address("zone.s0.service.logic[0]"));
        // The process dies here: no write(), not even close().

        State expected = base.with(added).with(changed).without(address("zone.s0.service.logic[0]"));
        assertThat(newBackend(dir).read()).contains(expected);

        journal.close();
        assertThat(newBackend(dir).read()).as("after the apply gave up and closed its journal").contains(expected);
    }

    @Test
    void aJournalStartedBeforeAnyStateWasWrittenIsNotLost() throws Exception {
        State base = State.empty();
        StateJournal journal = newBackend(dir).journal(base);
        journal.put(service("zone.s1"));

        State read = newBackend(dir).read().orElseThrow();

        assertThat(read.lineage()).isEqualTo(base.lineage());
        assertThat(read.resources()).containsOnlyKeys(address("zone.s1"));
    }

    @Test
    void journalRecordsApplyOnTopOfTheirBaseEvenIfItWasNeverWritten() throws Exception {
        StateBackend apply = newBackend(dir);
        State stored = SampleStates.withServices(2, 1);
        apply.write(stored);
        // e.g. a refresh or a `moved` block changed the state in memory before the apply began
        State base = stored.with(service("zone.s3.service.refreshed[0]"));

        apply.journal(base).put(service("zone.s4.service.new[0]"));

        assertThat(newBackend(dir).read()).contains(base.with(service("zone.s4.service.new[0]")));
    }

    @Test
    void writeFoldsAndDiscardsTheJournal() throws Exception {
        StateBackend apply = newBackend(dir);
        State base = SampleStates.withServices(2, 1);
        apply.write(base);
        StateJournal journal = apply.journal(base);
        journal.put(service("zone.s8.service.a[0]"));
        journal.put(service("zone.s8.service.b[0]"));

        // The caller's final state is the truth, even where it disagrees with the journal.
        State last = base.with(service("zone.s8.service.a[0]")).nextSerial();
        apply.write(last);

        assertThat(newBackend(dir).read()).contains(last);
        assertThatThrownBy(() -> journal.put(service("zone.s8.service.late[0]")))
                .isInstanceOf(StateException.class)
                .hasMessageContaining("journal");
        assertThat(newBackend(dir).read()).contains(last);
        journal.close();
    }

    @Test
    void aTornLastRecordIsIgnoredAndTheJournalCarriesOn() throws Exception {
        StateBackend first = newBackend(dir);
        State base = SampleStates.withServices(2, 1);
        first.write(base);
        StateJournal journal = first.journal(base);
        journal.put(service("zone.s6.service.x[0]"));
        journal.put(service("zone.s6.service.y[0]"));
        tearJournalTail(dir);

        StateBackend second = newBackend(dir);
        State recovered = second.read().orElseThrow();
        assertThat(recovered).isEqualTo(base.with(service("zone.s6.service.x[0]")).with(service("zone.s6.service.y[0]")));

        // The next apply starts from what was recovered and keeps journaling after the torn record.
        second.journal(recovered).put(service("zone.s6.service.z[0]"));
        assertThat(newBackend(dir).read()).contains(recovered.with(service("zone.s6.service.z[0]")));
    }

    @Test
    void recordsFromParallelWorkersAllLand() throws Exception {
        StateBackend apply = newBackend(dir);
        State base = SampleStates.withServices(1, 1);
        apply.write(base);
        StateJournal journal = apply.journal(base);

        ExecutorService workers = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int worker = w;
                done.add(workers.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        journal.put(service("zone.w" + worker + ".service.s[" + i + "]"));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(1, TimeUnit.MINUTES);
            }
        } finally {
            workers.shutdownNow();
        }

        assertThat(newBackend(dir).read().orElseThrow().resources()).hasSize(101);
    }

    @Test
    void aJournalOfAnotherLineageIsRefusedNotApplied() throws Exception {
        StateBackend apply = newBackend(dir);
        State base = SampleStates.withServices(2, 5);
        apply.write(base);
        apply.journal(base).put(service("zone.s1.service.orphan[0]"));
        State other = SampleStates.withServices(1, 5);
        replaceStoredStateByHand(dir, other);

        StateBackend next = newBackend(dir);
        assertThatThrownBy(next::read)
                .isInstanceOf(StateException.class)
                .hasMessageContaining("journal")
                .hasMessageContaining(base.lineage())
                .hasMessageContaining(other.lineage());
        assertThatThrownBy(() -> next.journal(other)).isInstanceOf(StateException.class)
                .hasMessageContaining(base.lineage());

        // Writing is how a user settles it: the written state replaces everything, journal included.
        next.write(other);
        assertThat(newBackend(dir).read()).contains(other);
    }

    @Test
    void aJournalOfAnotherSerialIsRefusedNotApplied() throws Exception {
        StateBackend apply = newBackend(dir);
        State base = SampleStates.withServices(2, 5);
        apply.write(base);
        apply.journal(base).put(service("zone.s1.service.orphan[0]"));
        State restored = new State(base.version(), base.lineage(), 3, base.resources(), base.outputs());
        replaceStoredStateByHand(dir, restored);

        assertThatThrownBy(() -> newBackend(dir).read())
                .isInstanceOf(StateException.class)
                .hasMessageContaining("journal")
                .hasMessageContaining("serial 5")
                .hasMessageContaining("serial 3");
    }

    // ---------------------------------------------------------------- lock

    @Test
    void aSecondLockIsRefusedNamingWhoHoldsItSinceWhenAndForWhat() throws Exception {
        LockInfo holder = lockInfo("apply");
        try (StateLock held = newBackend(dir).lock(holder)) {
            assertThat(held.info()).isEqualTo(holder);

            StateLockedException refused = refusal(() -> newBackend(dir).lock(lockInfo("plan")));

            assertThat(refused.holder()).isEqualTo(holder);
            assertThat(refused.getMessage()).contains(holder.id(), holder.who(), "apply", holder.created().toString());
        }
    }

    @Test
    void closingTheLockReleasesIt() throws Exception {
        StateLock first = newBackend(dir).lock(lockInfo("apply"));
        first.close();

        LockInfo next = lockInfo("plan");
        try (StateLock second = newBackend(dir).lock(next)) {
            first.close(); // closing twice must not release someone else's lock
            assertThat(refusal(() -> newBackend(dir).lock(lockInfo("x"))).holder()).isEqualTo(next);
        }
    }

    @Test
    void forceUnlockRemovesALeftOverLockOnlyWithItsId() throws Exception {
        LockInfo dead = lockInfo("apply");
        StateLock leftOver = newBackend(dir).lock(dead);
        killHolder(leftOver);
        StateBackend user = newBackend(dir);

        assertThatThrownBy(() -> user.forceUnlock("not-" + dead.id()))
                .isInstanceOf(StateException.class)
                .hasMessageContaining("not-" + dead.id())
                .hasMessageContaining(dead.id());
        assertThat(refusal(() -> user.lock(lockInfo("plan"))).holder())
                .as("a refused force-unlock leaves the lock in place")
                .isEqualTo(dead);

        user.forceUnlock(dead.id());
        try (StateLock mine = user.lock(lockInfo("plan"))) {
            assertThat(mine.info().operation()).isEqualTo("plan");
        }
    }

    @Test
    void aHolderClosingAfterItWasForceUnlockedDoesNotReleaseTheNextHolder() throws Exception {
        LockInfo dead = lockInfo("apply");
        StateLock presumedDead = newBackend(dir).lock(dead);
        killHolder(presumedDead);
        newBackend(dir).forceUnlock(dead.id());
        LockInfo next = lockInfo("apply again");

        try (StateLock current = newBackend(dir).lock(next)) {
            presumedDead.close();
            assertThat(refusal(() -> newBackend(dir).lock(lockInfo("plan"))).holder()).isEqualTo(next);
        }
    }

    @Test
    void forceUnlockWithoutALockRefuses() throws Exception {
        assertThatThrownBy(() -> newBackend(dir).forceUnlock(UUID.randomUUID().toString()))
                .isInstanceOf(StateException.class)
                .hasMessageContaining("not locked");
    }

    /** The {@link StateLockedException} that {@code lockAttempt} must throw. */
    protected static StateLockedException refusal(ThrowingCallable lockAttempt) {
        Throwable thrown = catchThrowable(lockAttempt);
        assertThat(thrown).as("the lock attempt must be refused").isInstanceOf(StateLockedException.class);
        return (StateLockedException) thrown;
    }

    /** A lock request as the CLI would make it, with a time a backend can store exactly. */
    protected static LockInfo lockInfo(String operation) {
        return new LockInfo(UUID.randomUUID().toString(), "tester@build-host (pid " + ProcessHandle.current().pid()
                + ")", operation, Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }
}
