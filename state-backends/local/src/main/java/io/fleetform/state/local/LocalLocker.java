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
                    Optional<LockHolder> holder = LockHolder.of(files.lock());
                    if (holder.isPresent() && !holder.get().liveness().alive()
                            && leftByDeadProcessOnThisHost(holder.get().info())) {
                        takeOver(holder.get());
                        continue;
                    }
                    if (holder.isPresent()) {
                        throw new StateLockedException(holder.get().info(),
                                "lock file " + files.lock() + "; " + holder.get().liveness());
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

    private void takeOver(LockHolder stale) throws StateException {
        try {
            Files.deleteIfExists(files.lock());
            Durable.syncDirectory(files.dir());
        } catch (IOException e) {
            throw new StateException("cannot remove the lock " + files.lock() + " left by " + stale.info().describe()
                    + ", whose process is gone: " + IoErrors.describe(e), e);
        }
    }

    @Override
    public void forceUnlock(String lockId) throws StateException {
        synchronized (HeldLocks.MONITOR) {
            LockHolder holder = LockHolder.of(files.lock()).orElseThrow(() -> new StateException(
                    "the state is not locked: there is no " + files.lock() + ", so there is nothing to force-unlock"));
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
    }
}
