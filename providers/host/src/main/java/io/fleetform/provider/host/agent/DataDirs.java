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
 * instance key it was made for. Safe names are a readable part plus a 32-bit hash, so two keys (or two agents over one
 * data root) can map to one directory; the marker makes sure a directory is used or deleted only for the key it was
 * made for, and one marked for another is refused, never used and never deleted.
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
        Owner self = new Owner(agentId, key);
        Owner owner = read(marker(key), dir);
        if (self.equals(owner)) {
            return;
        }
        if (owner != null) {
            throw refused(dir, key, what, "it is marked for instance " + owner.key() + " of agent " + owner.agent());
        }
        // no marker outside: an older agent's directory, or a kill between mkdir and marker
        Path inner = dir.resolve(INNER_MARKER);
        Owner hint = read(inner, dir);
        if (hint != null && !hint.equals(self)) {
            throw refused(dir, key, what, "an older agent marked it (" + inner + ") for instance " + hint.key()
                    + " of agent " + hint.agent());
        }
        List<String> keys = recorded.keysAt(dir.getFileName().toString());
        if (keys.equals(List.of(key))) {
            mark(key); // this very instance's: the proof moves out of the server's reach
            Files.deleteIfExists(inner);
            return;
        }
        List<String> others = keys.stream().filter(k -> !k.equals(key)).toList();
        throw refused(dir, key, what, "it has no owner marker (" + marker(key) + ") and " + (others.isEmpty()
                ? "the ledger does not record instance " + key + " at it"
                : "the ledger records " + String.join(", ", others) + " at it as well"));
    }

    private static ApiException refused(Path dir, String key, String what, String why) {
        return ApiException.conflict(new Conflict("data", dir.toString(), null, "data directory " + dir
                + " was not " + (what.equals("use") ? "used" : "deleted") + " for instance " + key + ": " + why
                + "; it was left untouched"));
    }

    private static Owner read(Path f, Path dir) throws IOException {
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
        // a marker this agent cannot read is nobody's to override
        throw ApiException.conflict(new Conflict("data", dir.toString(), null, "the owner marker " + f
                + " cannot be read (" + problem + "); the data directory " + dir + " was left untouched"));
    }

    private void mark(String key) throws IOException {
        Files.createDirectories(ownersDir);
        Ledger.writeAtomically(marker(key), Json.MAPPER.writeValueAsBytes(new Owner(agentId, key)));
    }
}
