package io.fleetform.state.local.bench;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.state.ResourceState;
import io.fleetform.engine.state.SampleStates;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateJournal;
import io.fleetform.state.local.LocalStateBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Persists 20,000 resources one by one through the local journal, each record on disk (fsynced)
 * before the next, as an apply does; prints the times. Not a unit test, and it asserts no time:
 * run it with {@code mvn -B -pl state-backends/local -am test -Pbench}, or through {@link #main}.
 * System property {@code bench.resources} (20000).
 */
@Tag("benchmark")
class JournalBenchmark {

    @Test
    void persistTwentyThousandResourcesOneByOne() throws Exception {
        assertEveryResourceIsRecoveredAfterACrash();
    }

    public static void main(String[] args) throws Exception {
        assertEveryResourceIsRecoveredAfterACrash();
    }

    /** Times persisting, recovering and rewriting; fails unless the recovery holds every resource persisted. */
    static void assertEveryResourceIsRecoveredAfterACrash() throws Exception {
        int count = Integer.getInteger("bench.resources", 20_000);
        Path dir = Files.createTempDirectory("fleetform-journal-bench-");
        try {
            LocalStateBackend backend = new LocalStateBackend(dir.resolve("state.json"));
            State base = State.empty();
            Map<ResourceAddress, ResourceState> applied = new LinkedHashMap<>();

            long start = System.nanoTime();
            try (StateJournal journal = backend.journal(base)) {
                for (int i = 0; i < count; i++) {
                    ResourceState r = SampleStates.service("zone.s" + (i / 50) + ".service.logic[" + (i % 50) + "]");
                    journal.put(r);
                    applied.put(r.address(), r);
                }
            }
            long journaled = System.nanoTime();
            long journalBytes = Files.size(dir.resolve("state.json.journal"));

            State recovered = backend.read().orElseThrow();
            long read = System.nanoTime();
            if (recovered.resources().size() != count) {
                throw new AssertionError("recovered " + recovered.resources().size() + " of " + count + " resources");
            }

            backend.write(new State(base.version(), base.lineage(), base.serial() + 1, applied, Map.of()));
            long written = System.nanoTime();

            System.out.printf("journal: %,d resources persisted one by one (fsync each) in %,d ms, %.1f µs per record,"
                    + " %,d bytes%n", count, millis(start, journaled), (journaled - start) / 1e3 / count, journalBytes);
            System.out.printf("read after a crash (state + %,d journal records): %,d ms%n", count,
                    millis(journaled, read));
            System.out.printf("final write of the %,d-resource state: %,d ms (a whole rewrite per resource would cost"
                    + " about that, %,d times)%n", count, millis(read, written), count);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static long millis(long from, long to) {
        return (to - from) / 1_000_000;
    }
}
