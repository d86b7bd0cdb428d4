package io.fleetform.state.local;

import io.fleetform.engine.state.LockInfo;
import io.fleetform.engine.state.StateException;
import io.fleetform.engine.state.StateLock;
import io.fleetform.engine.state.StateLockedException;
import io.fleetform.engine.state.StateLocker;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.util.Optional;

/**
 * The state's lock file. A lock file whose holder died still locks the state: as with
 * Terraform, the user decides with force-unlock, which this refuses only while the holder's
 * process can be seen still running.
 */
final class LocalLocker implements StateLocker {
    private static final int LOCK_ATTEMPTS = 3;

    private final StateFiles files;

    LocalLocker(StateFiles files) {
        this.files = files;
    }

    @Override
    public StateLock lock(LockInfo info) throws StateException {
        synchronized (HeldLocks.MONITOR) {
            try {
                Files.createDirectories(files.dir());
            } catch (IOException e) {
                throw new StateException("cannot create " + files.dir() + " for lock file " + files.lock() + ": "
                        + IoErrors.describe(e), e);
            }
            for (int attempt = 1; ; attempt++) {
                try {
                    return LocalLock.create(files.lock(), info);
                } catch (FileAlreadyExistsException taken) {
                    Optional<StateLock> tookOver = lookAtHolder(info);
                    if (tookOver.isPresent()) {
                        return tookOver.get();
                    }
                    // Released while we looked: try again.
                    if (attempt == LOCK_ATTEMPTS) {
                        throw new StateException("cannot take lock " + files.lock() + ": other processes keep taking "
                                + "and releasing it; try again");
                    }
                } catch (IOException e) {
                    throw new StateException("cannot create lock file " + files.lock() + ": " + IoErrors.describe(e), e);
                }
            }
        }
    }

    /**
     * Under the guard (see {@link LockGuard}): takes over a lock whose holder died on this host,
     * refuses naming a holder that is alive or on another host, or returns empty if the lock was
     * released meanwhile.
     */
    private Optional<StateLock> lookAtHolder(LockInfo info) throws StateException {
        try (LockGuard guard = LockGuard.acquire(files.lockGuard())) {
            Optional<LockHolder> holder = LockHolder.of(files.lock());
            if (holder.isEmpty()) {
                return Optional.empty();
            }
            if (!holder.get().liveness().alive() && leftByDeadProcessOnThisHost(holder.get().info())) {
                return Optional.of(LocalLock.takeOver(files.lock(), info));
            }
            throw new StateLockedException(holder.get().info(),
                    "lock file " + files.lock() + "; " + holder.get().liveness());
        } catch (IOException e) {
            throw new StateException("cannot take over lock file " + files.lock() + ": " + IoErrors.describe(e), e);
        }
    }

    /**
     * A lock whose OS lock nobody holds, written by a process of this host that no longer runs,
     * was left by a crash: nobody can be using the state, so the next run takes the lock over
     * (like Terraform's local state). A lock from another host is left to the user to judge.
     */
    static boolean leftByDeadProcessOnThisHost(LockInfo info) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("@(.+) \\(pid (\\d+)\\)$").matcher(info.who());
        if (!m.find()) {
            return false;
        }
        String thisHost = LockInfo.forOperation("probe").who().replaceAll("^[^@]*@| \\(pid \\d+\\)$", "");
        long pid = Long.parseLong(m.group(2));
        return m.group(1).equals(thisHost) && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    }

    @Override
    public void forceUnlock(String lockId) throws StateException {
        synchronized (HeldLocks.MONITOR) {
            if (!Files.exists(files.lock(), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw notLocked();
            }
            try (LockGuard guard = LockGuard.acquire(files.lockGuard())) {
                forceUnlockGuarded(lockId);
            } catch (IOException e) {
                throw new StateException("cannot force-unlock " + files.lock() + ": " + IoErrors.describe(e), e);
            }
        }
    }

    /** Under the guard, so no takeover can put a new holder's lock file in place between our look and our delete. */
    private void forceUnlockGuarded(String lockId) throws StateException {
        LockHolder holder = LockHolder.of(files.lock()).orElseThrow(this::notLocked);
        LockInfo info = holder.info();
        if (!info.id().equals(lockId)) {
            throw new StateException("not unlocking " + files.lock() + ": it holds " + info.describe()
                    + ", not lock " + lockId);
        }
        if (holder.liveness().alive()) {
            throw new StateException("not unlocking " + files.lock() + ": " + info.describe() + ", and "
                    + holder.liveness() + "; force-unlock is for locks left by processes that died");
        }
        try {
            Files.delete(files.lock());
            Durable.syncDirectory(files.dir());
        } catch (IOException e) {
            throw new StateException("cannot remove lock file " + files.lock() + ": " + IoErrors.describe(e), e);
        }
    }

    private StateException notLocked() {
        return new StateException("the state is not locked: there is no " + files.lock()
                + ", so there is nothing to force-unlock");
    }
}
