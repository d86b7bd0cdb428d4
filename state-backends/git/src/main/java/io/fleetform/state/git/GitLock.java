package io.fleetform.state.git;

import io.fleetform.engine.state.LockInfo;
import io.fleetform.engine.state.StateException;
import io.fleetform.engine.state.StateLock;
import org.eclipse.jgit.lib.ObjectId;

/** A held lock ref; closing deletes it, but only if it is still ours (expected value = our commit). */
final class GitLock implements StateLock {
    private final GitStateBackend backend;
    private final LockInfo info;
    private final ObjectId commit;
    private boolean closed;

    GitLock(GitStateBackend backend, LockInfo info, ObjectId commit) {
        this.backend = backend;
        this.info = info;
        this.commit = commit;
    }

    ObjectId commit() {
        return commit;
    }

    @Override
    public LockInfo info() {
        return info;
    }

    @Override
    public synchronized void close() throws StateException {
        if (!closed) {
            closed = true;
            backend.release(this);
        }
    }
}
