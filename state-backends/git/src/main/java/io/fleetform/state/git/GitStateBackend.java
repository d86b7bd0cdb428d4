package io.fleetform.state.git;

import io.fleetform.engine.state.journal.JournalText;
import io.fleetform.engine.state.journal.PushedJournal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetform.engine.state.LockInfo;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateBackend;
import io.fleetform.engine.state.StateCodec;
import io.fleetform.engine.state.StateException;
import io.fleetform.engine.state.StateHistory;
import io.fleetform.engine.state.StateJournal;
import io.fleetform.engine.state.StateLock;
import io.fleetform.engine.state.StateLockedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * The state as a file on a dedicated branch of a Git repository. Every write is a commit (its
 * message names serial, command, who and the fleet repository's commit) pushed as a fast-forward
 * of what this backend last saw; the lock is a ref created only if absent and deleted only if it
 * still is ours. Nothing is ever force-pushed.
 */
public final class GitStateBackend implements StateBackend, StateHistory, PushedJournal.Remote {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TRAILER = Pattern.compile("^Fleetform-([A-Za-z]+): (.*)$", Pattern.MULTILINE);

    /** What the factory read from the settings. */
    /** @param fleet what names the lock and journal refs: the state file's name (see GitStateBackendFactory) */
    record Settings(String branch, String path, String fleet, Duration journalPush, Path journalFile,
                    String fleetCommit) {
    }

    private final GitRemote remote;
    private final Settings settings;
    private final io.fleetform.engine.state.StateEncryption encryption;
    private ObjectId expectedHead;
    private boolean seenHead;
    private ObjectId remoteJournal;
    private PushedJournal openJournal;
    private GitLock heldLock;

    GitStateBackend(GitRemote remote, Settings settings, io.fleetform.engine.state.StateEncryption encryption) {
        this.remote = remote;
        this.settings = settings;
        this.encryption = encryption;
    }

    /** A journal line as stored. */
    @Override
    public byte[] seal(byte[] line) {
        return JournalText.seal(line, encryption);
    }

    private String branchRef() {
        return "refs/heads/" + settings.branch();
    }

    private String lockRef() {
        return "refs/fleetform/locks/" + settings.fleet();
    }

    private String journalRef() {
        return "refs/fleetform/journals/" + settings.fleet();
    }

    @Override
    public String describe() {
        return "git " + remote.where() + " branch " + settings.branch() + " file " + settings.path();
    }

    // ------------------------------------------------------------------ store

    /** The remote head, its state bytes (if any) and the journals that may apply. */
    private record Snapshot(ObjectId head, byte[] stateBytes, byte[] remoteJournal, byte[] localJournal) {
    }

    private synchronized Snapshot snapshot() throws StateException {
        Map<String, ObjectId> refs = remote.fetch(List.of(branchRef(), journalRef()));
        ObjectId head = refs.get(branchRef());
        expectedHead = head;
        seenHead = true;
        remoteJournal = refs.get(journalRef());
        byte[] state = head == null ? null : remote.read(head, settings.path()).orElse(null);
        byte[] journal = remoteJournal == null ? null : remote.read(remoteJournal, "journal").orElse(null);
        byte[] local;
        try {
            local = Files.readAllBytes(settings.journalFile());
        } catch (NoSuchFileException e) {
            local = null;
        } catch (IOException e) {
            throw new StateException("cannot read journal " + settings.journalFile() + ": " + e.getMessage(), e);
        }
        return new Snapshot(head, state, journal, local);
    }

    /** The stored state with its journal applied, and the journal's bytes if one applies. */
    private record Resolved(State state, byte[] journal) {
    }

    private Resolved resolve(Snapshot snapshot) throws StateException {
        State state = snapshot.stateBytes() == null ? null : decodeStored(snapshot);
        String fingerprint = snapshot.stateBytes() == null ? null : fingerprint(snapshot.stateBytes());
        JournalText.Contents best = null;
        byte[] bestBytes = null;
        for (byte[] bytes : new byte[][] {snapshot.localJournal(), snapshot.remoteJournal()}) {
            if (bytes == null) {
                continue;
            }
            String where = bytes == snapshot.localJournal() ? settings.journalFile().toString()
                    : journalRef() + " of " + remote.where();
            JournalText.Contents journal = JournalText.parse(bytes, where, encryption);
            if (fingerprint != null && journal.foldedInto().contains(fingerprint)) {
                continue;
            }
            if (state != null && journal.lineage().equals(state.lineage()) && journal.serial() < state.serial()) {
                continue; // superseded: a later write (which read this journal under the lock) folded it in
            }
            if (state == null || !journal.lineage().equals(state.lineage()) || journal.serial() != state.serial()) {
                throw new StateException("journal " + where + " holds " + journal.records().size() + " change(s) "
                        + "made on top of state lineage " + journal.lineage() + " serial " + journal.serial() + ", but "
                        + (state == null ? "there is no state in " + describe() : describe() + " is lineage "
                        + state.lineage() + " serial " + state.serial()) + ", so they are not applied. Put back the "
                        + "state they belong to (fleetform state history, then state restore --serial N), or, to drop "
                        + "those changes, delete the journal (" + settings.journalFile() + " and the ref " + journalRef()
                        + ")");
            }
            if (best == null || journal.records().size() > best.records().size()) {
                best = journal;
                bestBytes = Arrays.copyOf(bytes, journal.completeLength());
            }
        }
        return new Resolved(best == null ? state : best.applyTo(state), bestBytes);
    }

    private State decodeStored(Snapshot snapshot) throws StateException {
        String where = settings.path() + " at commit " + snapshot.head().abbreviate(10).name() + " of "
                + remote.where() + " branch " + settings.branch();
        try {
            return StateCodec.decode(encryption.open(snapshot.stateBytes(), where), where);
        } catch (StateException damaged) {
            throw new StateException(damaged.getMessage() + "; nothing was changed. " + restoreHint(), damaged);
        }
    }

    private String restoreHint() {
        try {
            Optional<Version> good = lastGood();
            if (good.isPresent()) {
                return "The last good state is serial " + good.get().serial() + " (commit " + good.get().id().substring(0, 10)
                        + "): run `fleetform state restore-backup` to write it back as a new commit, or pick another "
                        + "with `fleetform state history` and `fleetform state restore --serial N`";
            }
        } catch (StateException e) {
            return "No earlier state could be read from the branch either: " + e.getMessage();
        }
        return "There is no earlier good state on branch " + settings.branch() + " to restore";
    }

    @Override
    public Optional<State> read() throws StateException {
        return Optional.ofNullable(resolve(snapshot()).state());
    }

    @Override
    public void write(State state) throws StateException {
        write(state, null);
    }

    private void write(State state, String command) throws StateException {
        byte[] bytes = encryption.seal(StateCodec.encode(state));
        PushedJournal journal;
        synchronized (this) {
            journal = openJournal;
            openJournal = null;
            if (!seenHead) {
                expectedHead = remote.fetch(List.of(branchRef())).get(branchRef());
                seenHead = true;
            }
        }
        if (journal != null) {
            journal.retire();
        }
        String fingerprint = fingerprint(bytes);
        appendLocal(JournalText.folded(fingerprint));
        LockInfo holder = heldLock == null ? LockInfo.forOperation(command == null ? "write" : command)
                : heldLock.info();
        String message = "fleetform state serial " + state.serial() + ": " + (command != null ? command
                : holder.operation()) + " by " + holder.who() + "\n\n"
                + "Fleetform-State: " + settings.path() + "\n"
                + "Fleetform-Serial: " + state.serial() + "\n"
                + "Fleetform-Lineage: " + state.lineage() + "\n"
                + "Fleetform-Command: " + (command != null ? command : holder.operation()) + "\n"
                + "Fleetform-Who: " + holder.who() + "\n"
                + (settings.fleetCommit() == null ? "" : "Fleetform-Fleet-Commit: " + settings.fleetCommit() + "\n");
        ObjectId commit = remote.commit(expectedHead, settings.path(), bytes, ident(holder), message);
        if (remote.push(branchRef(), commit, expectedHead) != GitRemote.Outcome.DONE) {
            throw new StateException("not writing the state to " + describe() + ": someone else wrote it since this "
                    + "run read it (the branch is no longer at " + (expectedHead == null ? "nothing" :
                    expectedHead.abbreviate(10).name()) + "); nothing was overwritten and nothing is ever force-pushed. "
                    + "Run again to plan against the new state");
        }
        synchronized (this) {
            expectedHead = commit;
        }
        // Redundant from here on: the journal's serial is now older than the state's.
        if (remoteJournal != null) {
            remote.push(journalRef(), null, remoteJournal);
            remoteJournal = null;
        }
        try {
            Files.deleteIfExists(settings.journalFile());
        } catch (IOException e) {
            // the fold mark written above keeps it from being replayed
        }
    }

    private void appendLocal(byte[] line) throws StateException {
        try {
            if (Files.exists(settings.journalFile())) {
                Files.write(settings.journalFile(), line, java.nio.file.StandardOpenOption.APPEND);
            }
        } catch (IOException e) {
            throw new StateException("cannot mark journal " + settings.journalFile() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized StateJournal journal(State base) throws StateException {
        if (openJournal != null && openJournal.isOpen()) {
            throw new StateException("a journal is already open on " + settings.journalFile() + "; close it first");
        }
        Resolved stored = resolve(snapshot());
        byte[] existing = PushedJournal.startingContent(this, stored.state(), stored.journal(), base);
        openJournal = PushedJournal.open(this, settings.journalFile(), existing, false, settings.journalPush());
        return openJournal;
    }

    /** Pushes the journal's whole content to the journal ref, as a child of the one pushed before. */
    @Override
    public void pushJournal(byte[] content) throws StateException {
        ObjectId previous;
        synchronized (this) {
            previous = remoteJournal;
        }
        ObjectId commit = remote.commit(previous, "journal", content, ident(heldLock == null
                ? LockInfo.forOperation("apply") : heldLock.info()), "fleetform journal of " + settings.path());
        if (remote.push(journalRef(), commit, previous) != GitRemote.Outcome.DONE) {
            throw new StateException("cannot push the journal to " + journalRef() + " of " + remote.where()
                    + ": it was changed by someone else");
        }
        synchronized (this) {
            remoteJournal = commit;
        }
    }

    // ------------------------------------------------------------------ history

    @Override
    public List<Version> history() throws StateException {
        ObjectId head = remote.fetch(List.of(branchRef())).get(branchRef());
        List<Version> versions = new ArrayList<>();
        for (ObjectId at = head; at != null; ) {
            RevCommit commit = remote.parse(at);
            Map<String, String> trailers = trailers(commit.getFullMessage());
            if (settings.path().equals(trailers.get("State")) && trailers.containsKey("Serial")) {
                versions.add(new Version(Long.parseLong(trailers.get("Serial")),
                        commit.getCommitterIdent().getWhenAsInstant(), trailers.getOrDefault("Who", "?"),
                        trailers.getOrDefault("Command", "?"), commit.name()));
            }
            at = commit.getParentCount() == 0 ? null : commit.getParent(0).getId();
        }
        return versions;
    }

    @Override
    public Optional<State> readSerial(long serial) throws StateException {
        for (Version v : history()) {
            if (v.serial() == serial) {
                return Optional.of(stateAt(v));
            }
        }
        return Optional.empty();
    }

    private State stateAt(Version version) throws StateException {
        ObjectId id = ObjectId.fromString(version.id());
        byte[] bytes = remote.read(id, settings.path()).orElseThrow(() -> new StateException(
                "commit " + version.id() + " has no " + settings.path()));
        String where = settings.path() + " at commit " + version.id().substring(0, 10);
        return StateCodec.decode(encryption.open(bytes, where), where);
    }

    /** The newest readable state written before the branch's current commit (which may be a hand edit). */
    private Optional<Version> lastGood() throws StateException {
        ObjectId head = remote.fetch(List.of(branchRef())).get(branchRef());
        for (Version version : history()) {
            if (head != null && version.id().equals(head.name())) {
                continue;
            }
            try {
                stateAt(version);
                return Optional.of(version);
            } catch (StateException damaged) {
                // keep looking further back
            }
        }
        return Optional.empty();
    }

    /** The state before the last write, as a backup would be. */
    public Optional<State> previous() throws StateException {
        Optional<Version> good = lastGood();
        return good.isPresent() ? Optional.of(stateAt(good.get())) : Optional.empty();
    }

    /** Writes an old state back as a new commit, with the serial after the current one. */
    public State restore(State old, String command) throws StateException {
        snapshot();
        long next = history().stream().mapToLong(Version::serial).max().orElse(old.serial()) + 1;
        State restored = new State(old.version(), old.lineage(), next, old.resources(), old.outputs(), old.applies());
        write(restored, command);
        return restored;
    }

    @Override
    public State restoreBackup() throws StateException {
        Optional<Version> good = lastGood();
        if (good.isEmpty()) {
            throw new StateException("there is no earlier good state on branch " + settings.branch() + " of "
                    + remote.where() + " to restore");
        }
        return restore(stateAt(good.get()), "state restore-backup (serial " + good.get().serial() + ")");
    }

    // ------------------------------------------------------------------ lock

    @Override
    public StateLock lock(LockInfo info) throws StateException {
        ObjectNode record = JSON.createObjectNode();
        record.put("id", info.id());
        record.put("who", info.who());
        record.put("operation", info.operation());
        record.put("created", info.created().toString());
        ObjectId commit = remote.commit(null, "lock.json", record.toPrettyString().getBytes(StandardCharsets.UTF_8),
                ident(info), "fleetform lock " + info.id() + ": " + info.operation() + " by " + info.who());
        for (int attempt = 1; attempt <= 3; attempt++) {
            if (remote.push(lockRef(), commit, null) == GitRemote.Outcome.DONE) {
                GitLock lock = new GitLock(this, info, commit);
                synchronized (this) {
                    heldLock = lock;
                }
                return lock;
            }
            Optional<Holder> holder = holderRecord();
            if (holder.isPresent()) {
                throw new StateLockedException(holder.get().info(), "lock ref " + lockRef() + " in " + remote.where()
                        + "; a git lock stays until its holder releases it or someone runs force-unlock, even if "
                        + "its holder died");
            }
        }
        throw new StateException("cannot take lock " + lockRef() + " in " + remote.where() + ": others keep taking "
                + "and releasing it; try again");
    }

    /** The lock's holder and the commit that says so. */
    private record Holder(LockInfo info, ObjectId commit) {
    }

    private Optional<Holder> holderRecord() throws StateException {
        ObjectId commit = remote.fetch(List.of(lockRef())).get(lockRef());
        if (commit == null) {
            return Optional.empty();
        }
        byte[] bytes = remote.read(commit, "lock.json").orElse(new byte[0]);
        try {
            JsonNode node = JSON.readTree(bytes);
            return Optional.of(new Holder(new LockInfo(node.path("id").asText(), node.path("who").asText(),
                    node.path("operation").asText(), Instant.parse(node.path("created").asText())), commit));
        } catch (IOException | RuntimeException e) {
            return Optional.of(new Holder(new LockInfo("unknown", "an unknown holder (the lock ref's record cannot be "
                    + "read)", "an unknown operation", Instant.EPOCH), commit));
        }
    }

    synchronized void release(GitLock lock) throws StateException {
        if (heldLock == lock) {
            heldLock = null;
        }
        // Deleted only if it still is our commit: a lock force-unlocked and taken by someone else stays theirs.
        remote.push(lockRef(), null, lock.commit());
    }

    @Override
    public void forceUnlock(String lockId) throws StateException {
        Holder holder = holderRecord().orElseThrow(() -> new StateException("the state is not locked: there is no "
                + lockRef() + " in " + remote.where() + ", so there is nothing to force-unlock"));
        if (!holder.info().id().equals(lockId)) {
            throw new StateException("not unlocking " + lockRef() + ": it holds " + holder.info().describe()
                    + ", not lock " + lockId);
        }
        if (remote.push(lockRef(), null, holder.commit()) != GitRemote.Outcome.DONE) {
            throw new StateException("not unlocking " + lockRef() + ": it changed while we looked; look again");
        }
    }

    // ------------------------------------------------------------------ helpers

    private static Map<String, String> trailers(String message) {
        Map<String, String> found = new java.util.HashMap<>();
        Matcher m = TRAILER.matcher(message);
        while (m.find()) {
            found.put(m.group(1), m.group(2).strip());
        }
        return found;
    }

    private static PersonIdent ident(LockInfo who) {
        String name = who.who().replaceAll(" \\(pid \\d+\\)$", "");
        return new PersonIdent(name, "fleetform@" + name.replaceAll("^[^@]*@", ""));
    }

    static String fingerprint(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
