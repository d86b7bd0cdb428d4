package io.fleetform.engine.state;

/**
 * Where a fleet's state lives. A backend is a store and a lock; the engine never names a
 * particular one (they are found by {@link StateBackendFactory}). Every implementation must
 * pass the shared conformance tests in {@code StateBackendContract}.
 */
public interface StateBackend extends StateStore, StateLocker {

    /** For messages: {@code local .fleetform/state.json}, {@code git branch fleet-state}. */
    String describe();

    /**
     * Puts the last good state the backend kept back in place of the current one (for a state that
     * is damaged or was overwritten by mistake), keeping what it replaces somewhere the user can
     * find it. Returns the restored state.
     */
    default State restoreBackup() throws StateException {
        throw new StateException(describe() + " keeps no backup to restore");
    }
}
