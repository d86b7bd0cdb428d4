package io.fleetform.engine.apply;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.state.ResourceState;
import io.fleetform.engine.state.RolloutRecord;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateException;
import io.fleetform.engine.state.StateJournal;
import io.fleetform.engine.state.StateStore;
import java.util.Map;

/**
 * The journal of an apply, cut at rollout checkpoints: before a stage starts and after its gate,
 * the state is written whole with the rollout record (intent first), and a new journal opens on
 * top of it. Between checkpoints finished resources go to the journal as before.
 */
final class Checkpoints implements AutoCloseable {
    private final StateStore store;
    private final Map<ResourceAddress, ResourceState> current;
    private State base;
    private volatile StateJournal journal;

    Checkpoints(StateStore store, State base, Map<ResourceAddress, ResourceState> current) throws StateException {
        this.store = store;
        this.base = base;
        this.current = current;
        this.journal = store.journal(base);
    }

    StateJournal journal() {
        return journal;
    }

    long serial() {
        return base.serial();
    }

    /** Called between phases only, when nothing is in flight. */
    void write(RolloutRecord record) throws StateException {
        journal.close();
        base = base.withResources(current).withRollout(record).nextSerial();
        store.write(base);
        journal = store.journal(base);
    }

    @Override
    public void close() throws StateException {
        journal.close();
    }
}
