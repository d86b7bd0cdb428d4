package io.fleetform.engine.state;

/**
 * Where a fleet's state lives. A backend is a store and a lock; the engine never names a
 * particular one (they are found by {@link StateBackendFactory}). Every implementation must
 * pass the shared conformance tests in {@code StateBackendContract}.
 */
public interface StateBackend extends StateStore, StateLocker {

    /** For messages: {@code local .fleetform/state.json}, {@code git branch fleet-state}. */
    String describe();
}
