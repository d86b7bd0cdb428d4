package io.fleetform.state.local;

import static io.fleetform.engine.state.SampleStates.address;
import static io.fleetform.engine.state.SampleStates.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetform.engine.state.SampleStates;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateCodec;
import io.fleetform.engine.state.StateException;
import io.fleetform.engine.state.StateJournal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the local backend leaves on disk, how it recovers from crashes at each step, and what its errors say. */
class LocalStateFilesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Path stateFile;
    Path journalFile;
    LocalStateBackend backend;

    @BeforeEach
    void setUp() {
        stateFile = dir.resolve("state.json");
        journalFile = dir.resolve("state.json.journal");
        backend = new LocalStateBackend(stateFile);
    }

    @Test
    void writesLeaveTheStateInTheSharedFormatAndItsBackupAndNothingElse() throws Exception {
        State first = SampleStates.full();
        State second = first.with(service("zone.s2.service.logic[0]")).nextSerial();
        backend.write(first);
        backend.write(second);

        assertThat(fileNames()).containsExactly("state.json", "state.json.backup");
        assertThat(Files.readAllBytes(stateFile)).isEqualTo(StateCodec.encode(second));
        assertThat(Files.readAllBytes(dir.resolve("state.json.backup"))).isEqualTo(StateCodec.encode(first));
    }

    @Test
    void aWriteThatDiedBeforeItsRenameLeavesThePreviousStateReadable() throws Exception {
        State state = SampleStates.withServices(5, 2);
        backend.write(state);
        byte[] next = StateCodec.encode(state.with(service("zone.s9.service.x[0]")).nextSerial());
        Files.write(dir.resolve("state.json.4711.tmp"), Arrays.copyOf(next, next.length / 2));

        assertThat(new LocalStateBackend(stateFile).read()).contains(state);
    }

    @Test
    void theJournalIsAHeaderThenOneLinePerRecordAndDisappearsOnWrite() throws Exception {
        State base = SampleStates.withServices(3, 7);
        backend.write(base);
        byte[] stateBefore = Files.readAllBytes(stateFile);

        StateJournal journal = backend.journal(base);
        journal.put(service("zone.s5.service.chat[0]"));
        journal.remove(address("zone.s0.service.logic[2]"));

        List<String> lines = Files.readAllLines(journalFile);
        assertThat(lines).hasSize(3);
        JsonNode header = JSON.readTree(lines.get(0));
        assertThat(header.path("lineage").asText()).isEqualTo(base.lineage());
        assertThat(header.path("serial").asLong()).isEqualTo(7);
        assertThat(JSON.readTree(lines.get(1)).path("put").path("address").asText()).isEqualTo("zone.s5.service.chat[0]");
        assertThat(JSON.readTree(lines.get(2)).path("remove").asText()).isEqualTo("zone.s0.service.logic[2]");
        assertThat(Files.readString(journalFile)).endsWith("\n");
        assertThat(Files.readAllBytes(stateFile)).as("records never rewrite the state").isEqualTo(stateBefore);

        backend.write(base.nextSerial());
        assertThat(journalFile).doesNotExist();
        journal.close();
    }

    @Test
    void aCrashAfterTheRenameButBeforeTheJournalIsDeletedDoesNotReplayIt() throws Exception {
        State base = SampleStates.withServices(3, 1);
        backend.write(base);
        StateJournal journal = backend.journal(base);
        journal.put(service("zone.s4.service.replayed[0]"));
        Path survivor = dir.resolve("journal-as-the-crash-left-it");
        Files.createLink(survivor, journalFile); // sees everything write() does to the journal but its deletion

        State last = base.without(address("zone.s0.service.logic[0]")).nextSerial();
        backend.write(last);
        Files.move(survivor, journalFile);

        assertThat(new LocalStateBackend(stateFile).read()).contains(last);
        // and a new apply starts a fresh journal instead of continuing the folded one
        new LocalStateBackend(stateFile).journal(last).put(service("zone.s4.service.next[0]"));
        assertThat(new LocalStateBackend(stateFile).read()).contains(last.with(service("zone.s4.service.next[0]")));
    }

    @Test
    void aCrashBeforeTheRenameStillReplaysTheJournal() throws Exception {
        State base = SampleStates.withServices(3, 1);
        backend.write(base);
        StateJournal journal = backend.journal(base);
        journal.put(service("zone.s4.service.kept[0]"));
        Path journalSurvivor = dir.resolve("journal-as-the-crash-left-it");
        Files.createLink(journalSurvivor, journalFile);
        byte[] oldState = Files.readAllBytes(stateFile);

        backend.write(base.nextSerial());
        Files.move(journalSurvivor, journalFile);
        Files.write(stateFile, oldState);

        assertThat(Files.readString(journalFile)).contains("folded_into");
        assertThat(new LocalStateBackend(stateFile).read()).contains(base.with(service("zone.s4.service.kept[0]")));
    }

    @Test
    void resumingAfterATornRecordCutsItOffSoEveryLineStaysWhole() throws Exception {
        State base = SampleStates.withServices(2, 1);
        backend.write(base);
        backend.journal(base).put(service("zone.s1.service.a[0]"));
        Files.write(journalFile, "{\"put\":{\"address\":\"zone.s1.ser".getBytes(StandardCharsets.UTF_8),
                StandardOpenOption.APPEND);

        LocalStateBackend next = new LocalStateBackend(stateFile);
        next.journal(next.read().orElseThrow()).put(service("zone.s1.service.b[0]"));

        List<String> lines = Files.readAllLines(journalFile);
        assertThat(lines).hasSize(3);
        for (String line : lines) {
            assertThat(JSON.readTree(line).isObject()).as(line).isTrue();
        }
    }

    @Test
    void aStateFileThatIsNotJsonIsReportedWithItsPath() throws Exception {
        Files.writeString(stateFile, "{\"version\": 1, \"lineage\": ");

        assertThatThrownBy(backend::read).isInstanceOf(StateException.class)
                .hasMessageContaining(stateFile.toString())
                .hasMessageContaining("not a readable state")
                .hasMessageContaining("end-of-input");
    }

    @Test
    void anEmptyStateFileIsReportedAsSuch() throws Exception {
        Files.write(stateFile, new byte[0]);

        assertThatThrownBy(backend::read).isInstanceOf(StateException.class)
                .hasMessageContaining(stateFile.toString())
                .hasMessageContaining("not a Fleetform state")
                .hasMessageContaining("empty");
    }

    @Test
    void aStateFromANewerFleetformIsRefusedNamingTheVersion() throws Exception {
        Files.writeString(stateFile, "{\"version\": 2, \"lineage\": \"x\", \"serial\": 1, \"resources\": []}");

        assertThatThrownBy(backend::read).isInstanceOf(StateException.class)
                .hasMessageContaining(stateFile.toString())
                .hasMessageContaining("format version 2 is not supported");
    }

    @Test
    void anUnreadableStateFileSaysPermissionDenied() throws Exception {
        backend.write(SampleStates.withServices(1, 1));
        assertThat(stateFile.toFile().setReadable(false, false)).isTrue();
        assumeFalse(Files.isReadable(stateFile),
                "this user (root?) reads files whatever their permissions");
        try {
            assertThatThrownBy(backend::read).isInstanceOf(StateException.class)
                    .hasMessageContaining("cannot read state " + stateFile)
                    .hasMessageContaining("permission denied");
        } finally {
            stateFile.toFile().setReadable(true, false);
        }
    }

    @Test
    void aStateFolderThatCannotBeWrittenIsReportedAndThePreviousStateSurvives() throws Exception {
        State state = SampleStates.withServices(1, 1);
        backend.write(state);
        assertThat(dir.toFile().setWritable(false, false)).isTrue();
        try {
            assumeFalse(Files.isWritable(dir),
                    "this user (root?) writes files whatever their permissions");
            assertThatThrownBy(() -> backend.write(state.nextSerial())).isInstanceOf(StateException.class)
                    .hasMessageContaining("cannot write state " + stateFile)
                    .hasMessageContaining("permission denied");
        } finally {
            dir.toFile().setWritable(true, false);
        }
        assertThat(backend.read()).contains(state);
    }

    @Test
    void aDamagedJournalLineIsReportedWithFileAndLineNotSkipped() throws Exception {
        State base = SampleStates.withServices(1, 1);
        backend.write(base);
        StateJournal journal = backend.journal(base);
        journal.put(service("zone.s1.service.a[0]"));
        journal.close();
        List<String> lines = Files.readAllLines(journalFile);
        Files.write(journalFile, List.of(lines.get(0), "{\"put\": garbage", lines.get(1)));

        assertThatThrownBy(() -> new LocalStateBackend(stateFile).read()).isInstanceOf(StateException.class)
                .hasMessageContaining("journal " + journalFile)
                .hasMessageContaining("damaged at line 2");
    }

    @Test
    void aJournalFromANewerFleetformIsRefusedNamingTheVersion() throws Exception {
        State base = SampleStates.withServices(1, 1);
        backend.write(base);
        Files.writeString(journalFile, "{\"fleetform_journal\":2,\"lineage\":\"" + base.lineage() + "\",\"serial\":1}\n");

        assertThatThrownBy(() -> new LocalStateBackend(stateFile).read()).isInstanceOf(StateException.class)
                .hasMessageContaining(journalFile.toString())
                .hasMessageContaining("journal format version 2 is not supported");
    }

    @Test
    void aJournalWithoutItsStateIsRefused() throws Exception {
        State base = SampleStates.withServices(1, 1);
        backend.write(base);
        backend.journal(base).put(service("zone.s1.service.a[0]"));
        Files.move(stateFile, dir.resolve("elsewhere.json"), StandardCopyOption.ATOMIC_MOVE);

        assertThatThrownBy(() -> new LocalStateBackend(stateFile).read()).isInstanceOf(StateException.class)
                .hasMessageContaining("journal " + journalFile)
                .hasMessageContaining("there is no " + stateFile)
                .hasMessageContaining("1 change(s)");
    }

    @Test
    void aJournalRecordCostsTheSameOnATinyAndOnAHugeState() throws Exception {
        long onTiny = bytesAppendedByOneRecord(dir.resolve("tiny"), 10);
        long onHuge = bytesAppendedByOneRecord(dir.resolve("huge"), 10_000);

        assertThat(onTiny).isPositive();
        assertThat(onHuge).isEqualTo(onTiny);
    }

    /** Journals the same resource on top of a state of {@code size} resources; returns the bytes it cost on disk. */
    private static long bytesAppendedByOneRecord(Path folder, int size) throws Exception {
        Path file = folder.resolve("state.json");
        LocalStateBackend backend = new LocalStateBackend(file);
        State base = SampleStates.withServices(size, 1);
        backend.write(base);
        StateJournal journal = backend.journal(base);
        journal.put(service("zone.s0.service.logic[0]"));
        long before = totalSize(folder);
        byte[] stateBefore = Files.readAllBytes(file);

        journal.put(service("zone.s1.service.logic[1]"));

        assertThat(Files.readAllBytes(file)).isEqualTo(stateBefore);
        return totalSize(folder) - before;
    }

    private static long totalSize(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            long total = 0;
            for (Path f : files.toList()) {
                total += Files.size(f);
            }
            return total;
        }
    }

    private List<String> fileNames() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
