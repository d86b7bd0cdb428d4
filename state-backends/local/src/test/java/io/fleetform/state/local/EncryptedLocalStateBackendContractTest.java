package io.fleetform.state.local;

import io.fleetform.engine.state.SampleStates;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateBackend;
import io.fleetform.engine.state.StateCodec;
import io.fleetform.engine.state.StateEncryption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/** The whole contract again with the state, backup and journal encrypted (a key from the environment). */
class EncryptedLocalStateBackendContractTest extends LocalStateBackendContractTest {
    static final StateEncryption KEY;

    static {
        try {
            KEY = StateEncryption.fromEnvironment(Map.of("FLEETFORM_STATE_KEY",
                    "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="));
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    protected StateBackend newBackend(Path dir) {
        return new LocalStateBackend(stateFile(dir), KEY);
    }

    @Override
    protected void tearJournalTail(Path dir) throws Exception {
        byte[] record = JournalFormat.encode(new JournalLine.Put(SampleStates.service("zone.s9.service.torn[0]")), KEY);
        Files.write(dir.resolve(".fleetform/state.json.journal"), Arrays.copyOf(record, record.length / 2),
                StandardOpenOption.APPEND);
    }

    @Override
    protected void replaceStoredStateByHand(Path dir, State state) throws Exception {
        Files.write(stateFile(dir), KEY.seal(StateCodec.encode(state)));
    }

    @Override
    protected Optional<State> readBackup(Path dir) throws Exception {
        Path backup = dir.resolve(".fleetform/state.json.backup");
        return Files.exists(backup) ? Optional.of(StateCodec.decode(KEY.open(Files.readAllBytes(backup), "backup"),
                backup.toString())) : Optional.empty();
    }
}
