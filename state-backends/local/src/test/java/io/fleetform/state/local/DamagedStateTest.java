package io.fleetform.state.local;

import static io.fleetform.engine.state.SampleStates.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fleetform.engine.state.SampleStates;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateCodec;
import io.fleetform.engine.state.StateException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A state file damaged in each way a disk, an editor or another version can damage it: a clear
 * error naming the file, what is wrong and how to restore the backup; and the backup is only ever
 * the last good state.
 */
class DamagedStateTest {
    @TempDir
    Path dir;
    Path stateFile;
    Path backupFile;
    LocalStateBackend backend;
    State good;
    State latest;

    @BeforeEach
    void setUp() throws Exception {
        stateFile = dir.resolve("state.json");
        backupFile = dir.resolve("state.json.backup");
        backend = new LocalStateBackend(stateFile);
        good = SampleStates.withServices(3, 7);
        latest = good.with(service("zone.s9.service.chat[0]")).nextSerial();
        backend.write(good);
        backend.write(latest);
    }

    static Stream<Arguments> damage() {
        return Stream.of(
                Arguments.of("truncated", (Damage) bytes -> Arrays.copyOf(bytes, bytes.length / 2), "cut short"),
                Arguments.of("garbage", (Damage) bytes -> "\u0000\u0013PK\u0003garbage".getBytes(StandardCharsets.UTF_8),
                        "not valid JSON"),
                Arguments.of("empty", (Damage) bytes -> new byte[0], "the file is empty"),
                Arguments.of("a JSON list", (Damage) bytes -> "[1,2]".getBytes(StandardCharsets.UTF_8),
                        "no format version"),
                Arguments.of("wrong schema", (Damage) bytes -> new String(bytes, StandardCharsets.UTF_8)
                        .replace("\"resources\" : [", "\"resources\" : {\"x\":[").replaceFirst("\\]\\s*,\\s*\"outputs\"",
                                "]}, \"outputs\"").getBytes(StandardCharsets.UTF_8), "\"resources\" is not a list"),
                Arguments.of("no lineage", (Damage) bytes -> new String(bytes, StandardCharsets.UTF_8)
                        .replaceFirst("\"lineage\"", "\"lineage_\"").getBytes(StandardCharsets.UTF_8),
                        "it has no \"lineage\""),
                Arguments.of("a bad address", (Damage) bytes -> new String(bytes, StandardCharsets.UTF_8)
                        .replace("zone.s9.service.chat[0]", "zone s9").getBytes(StandardCharsets.UTF_8),
                        "invalid resource address"),
                Arguments.of("future version", (Damage) bytes -> new String(bytes, StandardCharsets.UTF_8)
                        .replaceFirst("\"version\" : 1", "\"version\" : 9").getBytes(StandardCharsets.UTF_8),
                        "version 9 is not supported"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damage")
    void aDamagedStateIsAClearErrorThatSaysHowToRestoreTheBackup(String kind, Damage damage, String what)
            throws Exception {
        Files.write(stateFile, damage.apply(Files.readAllBytes(stateFile)));
        byte[] damaged = Files.readAllBytes(stateFile);

        assertThatThrownBy(backend::read).isInstanceOf(StateException.class)
                .hasMessageContaining(stateFile.toString())
                .hasMessageContaining(what)
                .hasMessageContaining("serial " + good.serial() + ", is in " + backupFile)
                .hasMessageContaining("fleetform state restore-backup");

        // A write over it (e.g. by the next apply) never makes the damaged file the backup.
        State next = SampleStates.withServices(1, 20);
        backend.write(next);
        assertThat(StateCodec.decode(Files.readAllBytes(backupFile), "backup")).isEqualTo(good);
        Files.write(stateFile, damaged);

        State restored = backend.restoreBackup();
        assertThat(restored).isEqualTo(good);
        assertThat(backend.read()).contains(good);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.filter(f -> f.getFileName().toString().startsWith("state.json.replaced-")))
                    .as("what restore replaced is kept").singleElement()
                    .satisfies(f -> assertThat(Files.readAllBytes(f)).isEqualTo(damaged));
        }
    }

    @Test
    void aDeletedStateWithItsJournalLeftSaysWhereTheLastGoodStateIs() throws Exception {
        backend.journal(latest).put(service("zone.s4.service.new[0]"));
        Files.delete(stateFile);

        assertThatThrownBy(backend::read).isInstanceOf(StateException.class)
                .hasMessageContaining("journal " + dir.resolve("state.json.journal"))
                .hasMessageContaining("there is no " + stateFile)
                .hasMessageContaining("serial " + good.serial() + ", is in " + backupFile)
                .hasMessageContaining("fleetform state restore-backup");
    }

    @Test
    void aWriteThatFailsLeavesTheStateAndTheBackupAsTheyWere() throws Exception {
        assumeTrue(chattr("+i", stateFile), "chattr +i is not available here");
        try {
            assertThatThrownBy(() -> backend.write(latest.with(service("zone.s5.service.x[0]")).nextSerial()))
                    .isInstanceOf(StateException.class)
                    .hasMessageContaining("cannot write state " + stateFile)
                    .hasMessageContaining("its backup are as they were");
        } finally {
            chattr("-i", stateFile);
        }
        assertThat(backend.read()).contains(latest);
        assertThat(StateCodec.decode(Files.readAllBytes(backupFile), "backup")).isEqualTo(good);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("state.json",
                    "state.json.backup");
        }
    }

    @Test
    void restoringWithoutABackupSaysSo() throws Exception {
        Files.delete(backupFile);
        assertThatThrownBy(backend::restoreBackup).isInstanceOf(StateException.class)
                .hasMessageContaining("there is no backup " + backupFile);
        assertThat(backend.read()).contains(latest);
    }

    private static boolean chattr(String flag, Path file) {
        try {
            return new ProcessBuilder("chattr", flag, file.toString()).redirectErrorStream(true).start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    interface Damage {
        byte[] apply(byte[] bytes);
    }
}
