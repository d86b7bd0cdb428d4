package io.fleetform.state.local;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.state.ResourceState;
import io.fleetform.engine.state.StateException;
import io.fleetform.engine.state.StateJournal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends records to a journal file. Each record is one write of one line followed by an
 * fdatasync, so it costs the size of its resource whatever the size of the state. Safe to share
 * between the threads of a parallel apply.
 */
final class LocalJournal implements StateJournal {
    private final Path file;
    private final FileChannel channel;
    private final io.fleetform.engine.state.StateEncryption encryption;
    private String closedBecause;

    private LocalJournal(Path file, FileChannel channel, io.fleetform.engine.state.StateEncryption encryption) {
        this.file = file;
        this.channel = channel;
        this.encryption = encryption;
    }

    /** A new journal holding only its header, replacing any journal there was. */
    static LocalJournal start(Path file, JournalLine.Header header,
                              io.fleetform.engine.state.StateEncryption encryption) throws IOException {
        // Written aside and renamed in, so no reader ever sees a journal without its header.
        Durable.replace(Durable.writeTemp(file, JournalFormat.encode(header, encryption)), file);
        return resume(file, Files.size(file), encryption);
    }

    /** Continues an existing journal after its last complete line, dropping a record a crash cut short. */
    static LocalJournal resume(Path file, long completeLength, io.fleetform.engine.state.StateEncryption encryption)
            throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE);
        try {
            if (channel.size() > completeLength) {
                channel.truncate(completeLength);
                channel.force(false);
            }
            channel.position(completeLength);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return new LocalJournal(file, channel, encryption);
    }

    /**
     * Marks the journal at {@code file}, if any, as folded into the state with the given
     * fingerprint, so that a crash between replacing the state and deleting the journal cannot
     * replay it. Works on any journal, even one that cannot be read: a write replaces them all.
     */
    static void markFolded(Path file, String stateFingerprint) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long end = afterLastNewline(channel);
            channel.truncate(end);
            channel.position(end);
            Durable.writeFully(channel, JournalFormat.encode(new JournalLine.Folded(stateFingerprint)));
            channel.force(false);
        } catch (NoSuchFileException noJournal) {
            // nothing to mark
        }
    }

    @Override
    public void put(ResourceState resource) throws StateException {
        append(new JournalLine.Put(resource));
    }

    @Override
    public void remove(ResourceAddress address) throws StateException {
        append(new JournalLine.Remove(address));
    }

    private synchronized void append(JournalLine line) throws StateException {
        if (closedBecause != null) {
            throw new StateException("cannot record in journal " + file + ": it " + closedBecause);
        }
        try {
            Durable.writeFully(channel, JournalFormat.encode(line, encryption));
            channel.force(false);
        } catch (IOException e) {
            forgetPartialRecord();
            throw new StateException("cannot record in journal " + file + ": " + IoErrors.describe(e), e);
        }
    }

    /**
     * After a failed append the file may end in part of a record. Later records must not follow it
     * (it would become a damaged line in the middle), so cut it off, or stop journaling if we cannot.
     */
    private void forgetPartialRecord() {
        try {
            long end = afterLastNewline(channel);
            channel.truncate(end);
            channel.position(end);
        } catch (IOException e) {
            closedBecause = "was stopped after a record could not be written";
            closeQuietly();
        }
    }

    /** Called by {@code write()}: from now on the state holds everything, and records would be lost. */
    synchronized void retire() {
        if (closedBecause == null) {
            closedBecause = "was folded into the state by write(); open a new journal to record more changes";
            closeQuietly();
        }
    }

    synchronized boolean isOpen() {
        return closedBecause == null;
    }

    @Override
    public synchronized void close() throws StateException {
        if (closedBecause != null) {
            return;
        }
        closedBecause = "is closed";
        try {
            channel.close();
        } catch (IOException e) {
            throw new StateException("cannot close journal " + file + ": " + IoErrors.describe(e), e);
        }
    }

    private void closeQuietly() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // every record already written was forced to disk; there is nothing left to lose
        }
    }

    private static long afterLastNewline(FileChannel channel) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(4096);
        long end = channel.size();
        while (end > 0) {
            long start = Math.max(0, end - chunk.capacity());
            chunk.clear().limit((int) (end - start));
            while (chunk.hasRemaining() && channel.read(chunk, start + chunk.position()) >= 0) {
                // read until the chunk is full
            }
            for (int i = chunk.position() - 1; i >= 0; i--) {
                if (chunk.get(i) == '\n') {
                    return start + i + 1;
                }
            }
            end = start;
        }
        return 0;
    }
}
