package io.fleetform.engine.state;

/** One writer at a time: plan and apply hold the lock while they read, plan and write. */
public interface StateLocker {

    /** Takes the lock, or throws {@link StateLockedException} naming who holds it. */
    StateLock lock(LockInfo info) throws StateException;

    /** Removes a lock left by a process that died; only if its id matches. */
    void forceUnlock(String lockId) throws StateException;
}
