package io.fleetform.state.local;

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
import java.util.Optional;

class LocalStateBackendContractTest extends StateBackendContract {

    static Path stateFile(Path dir) {
        return dir.resolve(".fleetform/state.json");
    }

    @Override
    protected StateBackend newBackend(Path dir) {
        return new LocalStateBackend(stateFile(dir));
    }

    @Override
    protected void tearJournalTail(Path dir) throws Exception {
        byte[] record = JournalFormat.encode(new JournalLine.Put(SampleStates.service("zone.s9.service.torn[0]")));
        Files.write(dir.resolve(".fleetform/state.json.journal"), Arrays.copyOf(record, record.length / 2),
                StandardOpenOption.APPEND);
    }

    @Override
    protected void replaceStoredStateByHand(Path dir, State state) throws Exception {
        Files.write(stateFile(dir), StateCodec.encode(state));
    }

    @Override
    protected Optional<State> readBackup(Path dir) throws Exception {
        Path backup = dir.resolve(".fleetform/state.json.backup");
        return Files.exists(backup) ? Optional.of(StateCodec.decode(Files.readAllBytes(backup), backup.toString()))
                : Optional.empty();
    }

    @Override
    protected void killHolder(StateLock lock) {
        ((LocalLock) lock).simulateCrash();
    }
}
