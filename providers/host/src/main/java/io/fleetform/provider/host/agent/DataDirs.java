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
 * Instances' data directories ({@code instances/<safe name>}), each carrying an owner marker: the agent's id and the
 * full instance key it was made for. Safe names are a readable part plus a 32-bit hash ({@link InstanceNames}); the
 * ledger gives a name to one live key only, but a directory outlives its entry (kept unless purged) and two agents
 * can share a data root, so the marker makes sure a directory is used or deleted only for the key it was made for,
 * and one marked for another is refused, never used and never deleted.
 *
 * <p>The directory is made first and marked right after; the ledger entry of the instance, written at its claim
 * before any container change, is the intent. A directory without a marker (an agent killed between the two, or one
 * made before markers) is adopted only when the ledger records this very instance, and no other, at it.
 */
final class DataDirs {
    static final String MARKER = ".fleetform-owner";

    /** What a marker says. */
    record Owner(String agent, String key) {
    }

    /** The container keys the ledger records at a directory name (the safe name of each key). */
    interface Recorded {
        List<String> keysAt(String name);
    }

    private final Path instancesDir;
    private final String agentId;
    private final Recorded recorded;

    DataDirs(Path instancesDir, String agentId, Recorded recorded) {
        this.instancesDir = instancesDir;
        this.agentId = agentId;
        this.recorded = recorded;
    }

    Path path(String key) {
        return instancesDir.resolve(Addresses.safeName(key));
    }

    /** Makes {@code key}'s directory, or checks it is {@code key}'s before it is used again; returns it. */
    Path claim(String key) {
        Path dir = path(key);
        try {
            Files.createDirectories(instancesDir);
            try {
                Files.createDirectory(dir);
                mark(dir, key); // ours: nobody else made it
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

    private void requireOwn(Path dir, String key, String what) throws IOException {
        Owner owner = read(dir);
        Owner self = new Owner(agentId, key);
        if (self.equals(owner)) {
            return;
        }
        if (owner != null) {
            throw refused(dir, key, what, "it is marked for instance " + owner.key() + " of agent " + owner.agent());
        }
        List<String> keys = recorded.keysAt(dir.getFileName().toString());
        if (keys.equals(List.of(key))) {
            mark(dir, key); // an unmarked directory of this very instance: left by a kill or an older agent
            return;
        }
        List<String> others = keys.stream().filter(k -> !k.equals(key)).toList();
        throw refused(dir, key, what, "it has no owner marker and " + (others.isEmpty()
                ? "the ledger does not record instance " + key + " at it"
                : "the ledger records " + String.join(", ", others) + " at it as well"));
    }

    private static ApiException refused(Path dir, String key, String what, String why) {
        return ApiException.conflict(new Conflict("data", dir.toString(), null, "data directory " + dir
                + " was not " + (what.equals("use") ? "used" : "deleted") + " for instance " + key + ": " + why
                + "; it was left untouched"));
    }

    private static Owner read(Path dir) throws IOException {
        Path f = dir.resolve(MARKER);
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
                + " cannot be read (" + problem + "); the data directory was left untouched"));
    }

    private void mark(Path dir, String key) throws IOException {
        Ledger.writeAtomically(dir.resolve(MARKER), Json.MAPPER.writeValueAsBytes(new Owner(agentId, key)));
    }
}
