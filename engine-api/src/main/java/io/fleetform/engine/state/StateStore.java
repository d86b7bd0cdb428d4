package io.fleetform.engine.state;

import java.util.Optional;

/** Reading and writing the state. */
public interface StateStore {

    /**
     * The latest state, or empty if there is none yet. If an apply was interrupted, the
     * resources it finished (recorded in its journal) are part of what is returned.
     */
    Optional<State> read() throws StateException;

    /**
     * Replaces the state atomically (a reader sees the old or the new state, never a mix),
     * keeps the previous one as a backup, and discards any journal.
     */
    void write(State state) throws StateException;

    /**
     * Opens a journal for an apply starting from {@code base}. Each record persists one finished
     * resource at a cost that does not grow with the size of the state; {@link #write} at the
     * end folds it in.
     */
    StateJournal journal(State base) throws StateException;
}
