package io.fleetform.engine.state;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A backend that keeps every state it wrote (git): list them, and read an old one back by serial. */
public interface StateHistory {

    /** One write: its serial, when, by whom, for which command, and where it is kept (e.g. a commit id). */
    record Version(long serial, Instant when, String who, String command, String id) {
    }

    /** Every write, newest first. */
    List<Version> history() throws StateException;

    /** The state as written with this serial (the newest write of it, if several), or empty. */
    Optional<State> readSerial(long serial) throws StateException;
}
