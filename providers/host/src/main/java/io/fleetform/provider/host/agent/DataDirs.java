package io.fleetform.provider.host.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Instances' data directories ({@code instances/<safe name>}), each with an owner marker: the agent's id and the full
 * instance key it was made for. Safe names are a readable part plus a 32-bit hash ({@link InstanceNames}); the ledger
 * gives a name to one live key only, but a directory outlives its entry (kept unless purged) and two agents can share
 * a data root, so the marker makes sure a directory is used or deleted only for the key it was made for, and one
 * marked for another is refused, never used and never deleted.
 *
 * <p>The marker lives outside the directory ({@code owners/<safe name>} beside {@code instances/}): the directory is
 * mounted into the game server's container, which could read, change or delete anything inside it. The directory is
 * made first and marked right after; the ledger entry of the instance, written at its claim before any container
 * change, is the intent. A directory without a marker (an agent killed between the two, or one made before markers)
 * is adopted only when the ledger records this very instance, and no other, at it. One an older agent marked inside
 * ({@value #INNER_MARKER}) is taken the same way, the inner marker being only a hint the server could have forged or
 * deleted: one naming another owner is refused, one naming this instance still needs the ledger's record; once
 * adopted, the marker moves out and the inner one is removed (the data stays).
 */
final class DataDirs {
    /** Where older agents kept the marker: inside the directory, where the game server can reach it. */
    static final String INNER_MARKER = ".fleetform-owner";

    /** The markers' folder, beside the instances' folder (never mounted into a container). */
    static final String OWNERS = "owners";

    /** What a marker says. */
    record Owner(String agent, String key) {
    }

    /** The container keys the ledger records at a directory name (the safe name of each key). */
    interface Recorded {
        List<String> keysAt(String name);
    }

    private final Path instancesDir;
    private final Path ownersDir;
    private final String agentId;
    private final Recorded recorded;

    DataDirs(Path instancesDir, String agentId, Recorded recorded) {
        this.instancesDir = instancesDir;
        this.ownersDir = instancesDir.resolveSibling(OWNERS);
        this.agentId = agentId;
        this.recorded = recorded;
    }

    Path path(String key) {
        return instancesDir.resolve(Addresses.safeName(key));
    }

    /** The owner marker of {@code key}'s directory. */
    Path marker(String key) {
        return ownersDir.resolve(Addresses.safeName(key));
    }

    /** Makes {@code key}'s directory, or checks it is {@code key}'s before it is used again; returns it. */
    Path claim(String key) {
        Path dir = path(key);
        try {
            Files.createDirectories(instancesDir);
            try {
                Files.createDirectory(dir);
                mark(key); // ours: nobody else made it (a marker left from a directory since deleted is stale)
                return dir;
            } catch (FileAlreadyExistsException e) {
                // there already: whose it is decides
            }
            requireOwn(dir, key, "use");
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Checks that {@code key}'s directory, if there, may be deleted for it (refused, nothing deleted, otherwise). */
    void requireDeletable(String key) {
        Path dir = path(key);
        if (!Files.exists(dir)) {
            return;
        }
        try {
            requireOwn(dir, key, "delete");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the owner of the data directory " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    /** After {@code key}'s directory was deleted: its marker goes too. */
    void forget(String key) {
        try {
            Files.deleteIfExists(marker(key));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the owner marker " + marker(key) + ": " + e.getMessage(), e);
        }
    }

    private void requireOwn(Path dir, String key, String what) throws IOException {
        LedgerView.DataDir found = look(dir);
        String why = found.refusal(agentId, key, recorded.keysAt(found.name()));
        if (why != null) {
            throw refused(dir, key, what, why);
        }
        if (found.ownerKey() == null) {
            mark(key); // this very instance's: the proof moves out of the server's reach
            Files.deleteIfExists(dir.resolve(INNER_MARKER));
        }
    }

    /**
     * The directories that are not simply the ledger's one key's at their name (marked for it by this agent): left
     * from a released key, marked for another, unmarked or unreadable. What a plan needs to say what a claim of
     * one would meet; a host whose directories are all in order answers an empty list.
     */
    List<LedgerView.DataDir> unsettled() {
        if (!Files.isDirectory(instancesDir)) {
            return List.of();
        }
        List<LedgerView.DataDir> out = new java.util.ArrayList<>();
        try (var dirs = Files.list(instancesDir)) {
            for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
                LedgerView.DataDir d = look(dir);
                List<String> keys = d.recorded();
                if (keys.size() != 1 || d.refusal(agentId, keys.get(0), keys) != null) {
                    out.add(d);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the data directories in " + instancesDir + ": "
                    + e.getMessage(), e);
        }
        return out;
    }

    /** What says whose {@code dir} is: its marker outside, an older agent's inside, and the ledger's record. */
    private LedgerView.DataDir look(Path dir) throws IOException {
        String name = dir.getFileName().toString();
        Path marker = ownersDir.resolve(name);
        Path inner = dir.resolve(INNER_MARKER);
        Owner owner = null;
        Owner hint = null;
        String unreadable = null;
        try {
            owner = read(marker);
            if (owner == null) { // no marker outside: an older agent's directory, or a kill between mkdir and marker
                hint = read(inner);
            }
        } catch (Unreadable e) {
            unreadable = e.getMessage();
        }
        return new LedgerView.DataDir(name, dir.toString(), marker.toString(), owner == null ? null : owner.agent(),
                owner == null ? null : owner.key(), hint == null ? null : hint.agent(), hint == null ? null
                : hint.key(), unreadable, recorded.keysAt(name));
    }

    private static ApiException refused(Path dir, String key, String what, String why) {
        return ApiException.conflict(new Conflict("data", dir.toString(), null, "data directory " + dir
                + " was not " + (what.equals("use") ? "used" : "deleted") + " for instance " + key + ": " + why
                + "; it was left untouched"));
    }

    /** A marker this agent cannot read: nobody's to override. */
    private static final class Unreadable extends Exception {
        Unreadable(String message) {
            super(message, null, false, false);
        }
    }

    private static Owner read(Path f) throws IOException, Unreadable {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(f);
        } catch (NoSuchFileException e) {
            return null;
        }
        String problem;
        try {
            Owner o = Json.MAPPER.readValue(bytes, Owner.class);
            if (o != null && o.agent() != null && o.key() != null) {
                return o;
            }
            problem = "it names no agent or key";
        } catch (JsonProcessingException e) {
            problem = e.getOriginalMessage();
        }
        throw new Unreadable("its owner marker " + f + " cannot be read (" + problem + ")");
    }

    private void mark(String key) throws IOException {
        Files.createDirectories(ownersDir);
        Ledger.writeAtomically(marker(key), Json.MAPPER.writeValueAsBytes(new Owner(agentId, key)));
    }
}
