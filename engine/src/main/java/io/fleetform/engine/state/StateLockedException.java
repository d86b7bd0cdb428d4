package io.fleetform.engine.state;

/** Someone else holds the lock. */
public final class StateLockedException extends StateException {
    private final LockInfo holder;

    public StateLockedException(LockInfo holder) {
        super("the state is locked: " + holder.describe()
                + "; if that process is gone, run: fleetform force-unlock " + holder.id());
        this.holder = holder;
    }

    public LockInfo holder() {
        return holder;
    }
}
