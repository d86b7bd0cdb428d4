package io.fleetform.state.local;

import java.nio.file.Path;

/**
 * The files of one local state. They all sit beside the state file: a rename is only atomic
 * within one folder, and the lock and journal must be found from the state's path alone.
 */
record StateFiles(Path state) {

    StateFiles {
        state = state.toAbsolutePath().normalize();
    }

    Path dir() {
        return state.getParent();
    }

    Path backup() {
        return sibling(".backup");
    }

    Path lock() {
        return sibling(".lock");
    }

    /** Never deleted: its OS lock serialises every look at a lock held by another and every takeover. */
    Path lockGuard() {
        return sibling(".lock.guard");
    }

    Path journal() {
        return sibling(".journal");
    }

    private Path sibling(String suffix) {
        return state.resolveSibling(state.getFileName() + suffix);
    }
}
