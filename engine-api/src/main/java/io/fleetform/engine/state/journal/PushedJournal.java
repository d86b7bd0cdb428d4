package io.fleetform.engine.state.journal;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.state.ResourceState;
import io.fleetform.engine.state.StateException;
import io.fleetform.engine.state.StateJournal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The journal of an apply: every record is appended and fsynced to a local file at once (so a
 * crash of the process loses nothing on this machine), and the whole journal is pushed to the
 * remote's journal ref at most every {@code pushEvery} and at the end, so a run whose machine is
 * lost too (a CI runner) loses at most that window. Safe to share between threads.
 */
public final class PushedJournal implements StateJournal {

    /** Where the journal goes: the remote copy, and how a line is stored. */
    public interface Remote {
        /** Replaces the remote copy of the journal with {@code content}. */
        void pushJournal(byte[] content) throws StateException;

        /** A line as stored (encrypted or not). */
        byte[] seal(byte[] line);
    }

    private final Remote backend;
    private final Path file;
    private final FileChannel channel;
    private final ByteArrayOutputStream content = new ByteArrayOutputStream();
    private final ScheduledExecutorService pusher;
    private boolean dirty;
    private String closedBecause;
    private String lastPushError;

    private PushedJournal(Remote backend, Path file, FileChannel channel, byte[] existing, Duration pushEvery) {
        this.backend = backend;
        this.file = file;
        this.channel = channel;
        this.content.writeBytes(existing);
        this.pusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fleetform-journal-push");
            t.setDaemon(true);
            return t;
        });
        long millis = Math.max(100, pushEvery.toMillis());
        pusher.scheduleWithFixedDelay(this::pushQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }

    /**
     * What the journal of an apply from {@code base} starts with: the stored journal when {@code base} is the
     * stored state (an interrupted run's records are kept for the next fold), else a fresh header, after
     * {@code base} has been written (so the journal always continues the state the remote holds).
     */
    public static <B extends io.fleetform.engine.state.StateBackend & Remote> byte[] startingContent(
            B backend, io.fleetform.engine.state.State stored, byte[] storedJournal,
            io.fleetform.engine.state.State base) throws StateException {
        boolean baseIsStored = stored != null && java.util.Arrays.equals(
                io.fleetform.engine.state.StateCodec.encode(stored), io.fleetform.engine.state.StateCodec.encode(base));
        if (baseIsStored && storedJournal != null) {
            return storedJournal;
        }
        if (!baseIsStored) {
            backend.write(base);
        }
        return backend.seal(JournalText.header(base.lineage(), base.serial()));
    }

    /** A journal holding {@code existing} (a header and any records kept from an interrupted run). */
    public static PushedJournal open(Remote backend, Path file, byte[] existing, boolean pushNow, Duration pushEvery)
            throws StateException {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            Files.write(tmp, existing);
            try (FileChannel sync = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                sync.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            PushedJournal journal = new PushedJournal(backend, file, channel, existing, pushEvery);
            journal.dirty = pushNow;
            return journal;
        } catch (IOException e) {
            throw new StateException("cannot open the journal " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void put(ResourceState resource) throws StateException {
        append(backend.seal(JournalText.put(resource)));
    }

    @Override
    public void remove(ResourceAddress address) throws StateException {
        append(backend.seal(JournalText.remove(address)));
    }

    private synchronized void append(byte[] line) throws StateException {
        if (closedBecause != null) {
            throw new StateException("cannot record in journal " + file + ": it " + closedBecause);
        }
        try {
            ByteBuffer buffer = ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(false);
        } catch (IOException e) {
            throw new StateException("cannot record in journal " + file + ": " + e.getMessage(), e);
        }
        content.writeBytes(line);
        dirty = true;
    }

    private void pushQuietly() {
        try {
            push();
        } catch (StateException e) {
            synchronized (this) {
                lastPushError = e.getMessage();
            }
        }
    }

    /** Pushes the journal if it changed since the last push. */
    public void push() throws StateException {
        byte[] snapshot;
        synchronized (this) {
            if (!dirty || closedBecause != null && !closedBecause.equals("is closing")) {
                return;
            }
            snapshot = content.toByteArray();
            dirty = false;
        }
        try {
            backend.pushJournal(snapshot);
        } catch (StateException e) {
            synchronized (this) {
                dirty = true;
            }
            throw e;
        }
    }

    /** Called by {@code write()}: the state now holds everything; stop without pushing. */
    public synchronized void retire() {
        if (closedBecause == null) {
            closedBecause = "was folded into the state by write(); open a new journal to record more changes";
        }
        pusher.shutdownNow();
        closeChannel();
    }

    public synchronized boolean isOpen() {
        return closedBecause == null;
    }

    @Override
    public void close() throws StateException {
        synchronized (this) {
            if (closedBecause != null) {
                return;
            }
            closedBecause = "is closing";
        }
        pusher.shutdownNow();
        try {
            push();
        } finally {
            synchronized (this) {
                closedBecause = "is closed";
                closeChannel();
            }
        }
    }

    public synchronized String lastPushError() {
        return lastPushError;
    }

    private void closeChannel() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // every record was forced to disk when it was written
        }
    }
}
