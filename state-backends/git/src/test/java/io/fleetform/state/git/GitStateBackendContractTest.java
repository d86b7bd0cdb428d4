package io.fleetform.state.git;

import io.fleetform.engine.state.journal.JournalText;

import io.fleetform.engine.state.SampleStates;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateBackend;
import io.fleetform.engine.state.StateBackendContract;
import io.fleetform.engine.state.StateCodec;
import io.fleetform.engine.state.StateLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/** The git backend against a real bare repository over file://. */
class GitStateBackendContractTest extends StateBackendContract {

    static Path bareRepo(Path dir) throws Exception {
        Path bare = dir.resolve("remote.git");
        if (!Files.exists(bare)) {
            TestGit.run(dir, "git", "init", "-q", "--bare", bare.toString());
        }
        return bare;
    }

    static GitStateBackend backend(Path workDir, String url) throws Exception {
        return backend(workDir, url, "0.2");
    }

    static GitStateBackend backend(Path workDir, String url, String pushSeconds) throws Exception {
        Files.createDirectories(workDir);
        return (GitStateBackend) new GitStateBackendFactory().create(workDir, Map.of("url", url, "fleet", "t",
                "journal_push_seconds", pushSeconds));
    }

    /**
     * Journals pushed only when closed: the contract abandons journals to stand for crashed runs, and
     * a crashed run's pusher does not go on pushing as a thread in this JVM would.
     */
    @Override
    protected StateBackend newBackend(Path dir) throws Exception {
        return backend(dir.resolve("fleet"), "file://" + bareRepo(dir), "600");
    }

    @Override
    protected void tearJournalTail(Path dir) throws Exception {
        byte[] record = JournalText.put(SampleStates.service("zone.s9.service.torn[0]"));
        try (var files = Files.list(dir.resolve("fleet/.fleetform/git-state"))) {
            Path journal = files.filter(f -> f.toString().endsWith(".journal")).findFirst().orElseThrow();
            Files.write(journal, Arrays.copyOf(record, record.length / 2), StandardOpenOption.APPEND);
        }
    }

    @Override
    protected void replaceStoredStateByHand(Path dir, State state) throws Exception {
        TestGit.commitFile(bareRepo(dir), "fleetform-state", "t/state.json", StateCodec.encode(state),
                "edited by hand");
    }

    @Override
    protected Optional<State> readBackup(Path dir) throws Exception {
        return ((GitStateBackend) newBackend(dir)).previous();
    }

    @Override
    protected void killHolder(StateLock lock) {
        // A git lock has no process to watch: a dead holder's lock ref simply stays.
    }
}
