package io.fleetform.engine.state;

/** Someone else holds the lock. */
public final class StateLockedException extends StateException {
    private final LockInfo holder;

    public StateLockedException(LockInfo holder) {
        this(holder, null);
    }

    /**
     * @param detail what the backend knows beyond the holder's own record, e.g. where the lock
     *               lives and whether its process still runs; may be null
     */
    public StateLockedException(LockInfo holder, String detail) {
        super("the state is locked: " + holder.describe() + (detail == null ? "" : " (" + detail + ")")
                + "; if that process is gone, run: fleetform force-unlock " + holder.id());
        this.holder = holder;
    }

    public LockInfo holder() {
        return holder;
    }
}
