package io.fleetform.state.local;

import io.fleetform.engine.state.LockInfo;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateBackend;
import io.fleetform.engine.state.StateException;
import io.fleetform.engine.state.StateJournal;
import io.fleetform.engine.state.StateLock;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The state in a local file ({@code .fleetform/state.json} by default), with beside it:
 * {@code state.json.backup} (the previous state), {@code state.json.journal} (records of an
 * apply in progress) and {@code state.json.lock} (who is running plan or apply).
 */
public final class LocalStateBackend implements StateBackend {
    private final StateFiles files;
    private final LocalStore store;
    private final LocalLocker locker;

    public LocalStateBackend(Path stateFile) {
        this(stateFile, io.fleetform.engine.state.StateEncryption.none());
    }

    /** With the state, its backup and its journal stored as {@code encryption} says. */
    public LocalStateBackend(Path stateFile, io.fleetform.engine.state.StateEncryption encryption) {
        this.files = new StateFiles(stateFile);
        this.store = new LocalStore(files, encryption);
        this.locker = new LocalLocker(files);
    }

    public Path stateFile() {
        return files.state();
    }

    @Override
    public Optional<State> read() throws StateException {
        return store.read();
    }

    @Override
    public void write(State state) throws StateException {
        store.write(state);
    }

    @Override
    public StateJournal journal(State base) throws StateException {
        return store.journal(base);
    }

    @Override
    public State restoreBackup() throws StateException {
        return store.restoreBackup();
    }

    @Override
    public StateLock lock(LockInfo info) throws StateException {
        return locker.lock(info);
    }

    @Override
    public void forceUnlock(String lockId) throws StateException {
        locker.forceUnlock(lockId);
    }

    @Override
    public String describe() {
        return "local " + files.state();
    }
}
