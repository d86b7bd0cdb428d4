package io.fleetform.state.local;

import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateCodec;
import io.fleetform.engine.state.StateEncryption;
import io.fleetform.engine.state.StateException;
import io.fleetform.engine.state.StateJournal;
import io.fleetform.engine.state.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * The state file, its backup and its journal.
 *
 * <p>A write goes to a temporary file that is fsynced and renamed over the state, so a reader
 * sees the old or the new file, never a mix. Before the rename, the journal (if any) is marked
 * with the new state's fingerprint: a crash after the rename but before the journal is deleted
 * leaves a journal that says it is already folded in, instead of one that looks unapplied.
 */
final class LocalStore implements StateStore {
    private static final int READ_ATTEMPTS = 3;

    private final StateFiles files;
    private final StateEncryption encryption;
    private LocalJournal openJournal;
    /**
     * The bytes last decoded and what they decoded to. A run reads the state more than once (to open
     * the providers, then under the lock to plan); when the file still holds exactly the same bytes,
     * the immutable state decoded from them is the same, so it is not decoded again. Nothing outlives
     * the process, and any other byte means a fresh decode.
     */
    private byte[] lastBytes;
    private State lastState;

    LocalStore(StateFiles files, StateEncryption encryption) {
        this.files = files;
        this.encryption = encryption;
    }

    private State decode(byte[] stored, Path file) throws StateException {
        return StateCodec.decode(encryption.open(stored, file.toString()), file.toString());
    }

    @Override
    public Optional<State> read() throws StateException {
        return Optional.ofNullable(current().state());
    }

    @Override
    public void write(State state) throws StateException {
        byte[] bytes = encryption.seal(StateCodec.encode(state));
        synchronized (this) {
            if (openJournal != null) {
                openJournal.retire();
                openJournal = null;
            }
        }
        Path target = files.state();
        try {
            Files.createDirectories(files.dir());
            Path tmp = Durable.writeTemp(target, bytes);
            Path backupTmp = null;
            try {
                backupTmp = backupCandidate();
                LocalJournal.markFolded(files.journal(), Fingerprint.of(bytes));
                Durable.replace(tmp, target);
                // Only now, with the new state in place, does the one it replaced become the backup:
                // a write that fails leaves the backup as it was.
                if (backupTmp != null) {
                    Durable.replace(backupTmp, files.backup());
                    backupTmp = null;
                }
            } finally {
                Files.deleteIfExists(tmp);
                if (backupTmp != null) {
                    Files.deleteIfExists(backupTmp);
                }
            }
            // Redundant from here on; should this delete be lost, the fold mark says so.
            Files.deleteIfExists(files.journal());
        } catch (IOException e) {
            throw new StateException("cannot write state " + target + ": " + IoErrors.describe(e)
                    + "; nothing was replaced, " + files.state().getFileName() + " and its backup are as they were", e);
        }
    }

    /**
     * Puts the backup back as the state, byte for byte (same lineage and serial, so a journal made
     * on top of it still applies). The damaged or unwanted state it replaces is kept beside it as
     * {@code state.json.replaced-<time>}, never thrown away.
     */
    State restoreBackup() throws StateException {
        byte[] backup;
        try {
            backup = Files.readAllBytes(files.backup());
        } catch (NoSuchFileException e) {
            throw new StateException("there is no backup " + files.backup() + " to restore");
        } catch (IOException e) {
            throw new StateException("cannot read backup " + files.backup() + ": " + IoErrors.describe(e), e);
        }
        State restored = decode(backup, files.backup());
        try {
            Path tmp = Durable.writeTemp(files.state(), backup);
            try {
                if (Files.exists(files.state())) {
                    Path aside = files.state().resolveSibling(files.state().getFileName() + ".replaced-"
                            + java.time.Instant.now().toString().replace(':', '-'));
                    Files.copy(files.state(), aside);
                }
                Durable.replace(tmp, files.state());
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new StateException("cannot restore " + files.state() + " from " + files.backup() + ": "
                    + IoErrors.describe(e), e);
        }
        return restored;
    }

    /** A copy of the current state to become the backup, or null if there is none or it is not a good state. */
    private Path backupCandidate() throws IOException {
        byte[] previous;
        try {
            previous = Files.readAllBytes(files.state());
        } catch (NoSuchFileException first) {
            return null;
        }
        try {
            decode(previous, files.state());
        } catch (StateException damaged) {
            // The backup is only ever the last good state: a damaged file never replaces it.
            return null;
        }
        return Durable.writeTemp(files.backup(), previous);
    }

    /**
     * Opens a journal whose records apply on top of {@code base}. If {@code base} is not what is
     * stored (a first apply, or a state changed in memory by a refresh), it is written first: a
     * record is only useful on top of a state that is on disk. A journal left by an interrupted
     * apply on the same state is continued, so its records are kept.
     */
    @Override
    public synchronized StateJournal journal(State base) throws StateException {
        if (openJournal != null && openJournal.isOpen()) {
            throw new StateException("a journal is already open on " + files.journal() + "; close it first");
        }
        Resolved stored = current();
        boolean baseIsStored = stored.state() != null
                && Arrays.equals(StateCodec.encode(stored.state()), StateCodec.encode(base));
        try {
            if (baseIsStored && stored.journal().isPresent()) {
                openJournal = LocalJournal.resume(files.journal(), stored.journal().get().completeLength(),
                        encryption);
            } else {
                if (!baseIsStored) {
                    write(base);
                }
                openJournal = LocalJournal.start(files.journal(), new JournalLine.Header(base.lineage(), base.serial()),
                        encryption);
            }
        } catch (IOException e) {
            throw new StateException("cannot open journal " + files.journal() + ": " + IoErrors.describe(e), e);
        }
        return openJournal;
    }

    /** The stored state with its journal applied, and that journal if it still counts. */
    private record Resolved(State state, Optional<JournalContents> journal) {
    }

    private Resolved current() throws StateException {
        for (int attempt = 1; ; attempt++) {
            Optional<byte[]> stored = readStateBytes();
            Optional<JournalContents> journal = JournalReader.read(files.journal(), encryption);
            try {
                return resolve(stored, journal);
            } catch (ForeignJournalException e) {
                // Without the lock, a writer may have replaced the state between our two reads: look again.
                if (attempt == READ_ATTEMPTS || sameBytes(stored, readStateBytes())) {
                    throw e;
                }
            }
        }
    }

    private Resolved resolve(Optional<byte[]> stored, Optional<JournalContents> pending) throws StateException {
        State state = stored.isPresent() ? decodeStored(stored.get()) : null;
        if (pending.isEmpty()) {
            return new Resolved(state, Optional.empty());
        }
        JournalContents journal = pending.get();
        if (stored.isPresent() && journal.isFoldedInto(Fingerprint.of(stored.get()))) {
            return new Resolved(state, Optional.empty());
        }
        JournalLine.Header header = journal.header();
        if (state == null) {
            throw new ForeignJournalException(journal, "there is no " + files.state() + " (deleted?)",
                    " (" + restoreHint() + ")");
        }
        if (!header.lineage().equals(state.lineage()) || header.serial() != state.serial()) {
            throw new ForeignJournalException(journal, files.state() + " is lineage " + state.lineage() + " serial "
                    + state.serial(), "");
        }
        return new Resolved(journal.applyTo(state), pending);
    }

    /** The stored state, or an error that says what is wrong with the file and how to get the last good one back. */
    private State decodeStored(byte[] bytes) throws StateException {
        synchronized (this) {
            if (lastBytes != null && Arrays.equals(lastBytes, bytes)) {
                return lastState;
            }
        }
        try {
            State state = decode(bytes, files.state());
            synchronized (this) {
                lastBytes = bytes;
                lastState = state;
            }
            return state;
        } catch (StateException damaged) {
            throw new StateException(damaged.getMessage() + "; nothing was changed. " + restoreHint(), damaged);
        }
    }

    /** How to get the last good state back, naming the backup and what it holds. */
    private String restoreHint() {
        Path backup = files.backup();
        try {
            State good = decode(Files.readAllBytes(backup), backup);
            return "The last good state, serial " + good.serial() + ", is in " + backup + ": run `fleetform state "
                    + "restore-backup` to put it back, or copy it over " + files.state() + " by hand";
        } catch (NoSuchFileException e) {
            return "There is no backup " + backup + " to restore; if another copy of the state exists, put it back at "
                    + files.state();
        } catch (IOException | StateException e) {
            return "The backup " + backup + " cannot be used either: " + (e instanceof IOException io
                    ? IoErrors.describe(io) : e.getMessage());
        }
    }

    private Optional<byte[]> readStateBytes() throws StateException {
        try {
            return Optional.of(Files.readAllBytes(files.state()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StateException("cannot read state " + files.state() + ": " + IoErrors.describe(e), e);
        }
    }

    private static boolean sameBytes(Optional<byte[]> a, Optional<byte[]> b) {
        return a.isPresent() == b.isPresent() && (a.isEmpty() || Arrays.equals(a.get(), b.get()));
    }

    /** A journal whose records were made on top of a state other than the stored one. */
    private static final class ForeignJournalException extends StateException {
        ForeignJournalException(JournalContents journal, String butStored, String restore) {
            super("journal " + journal.file() + " holds " + journal.records().size() + " change(s) made on top of "
                    + "state lineage " + journal.header().lineage() + " serial " + journal.header().serial() + ", but "
                    + butStored + ", so they are not applied. If the state was replaced by hand, put back the one "
                    + "they belong to" + restore + "; to drop those changes, delete the journal");
        }
    }
}
