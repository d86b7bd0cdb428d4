package io.fleetform.state.local;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.state.ResourceState;

/** One line of a journal file: a header, then records, each on its own line. */
sealed interface JournalLine {

    /** First line: the records that follow apply on top of this state. */
    record Header(String lineage, long serial) implements JournalLine {
    }

    record Put(ResourceState resource) implements JournalLine {
    }

    record Remove(ResourceAddress address) implements JournalLine {
    }

    /**
     * Appended by {@code write()} just before it replaces the state: if the state file's
     * fingerprint is this one, the journal is already part of it.
     */
    record Folded(String stateFingerprint) implements JournalLine {
    }
}
