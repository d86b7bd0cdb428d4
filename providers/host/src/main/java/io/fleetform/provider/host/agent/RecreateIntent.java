package io.fleetform.provider.host.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A recreate in progress, written before its first step and deleted after its last, so an agent
 * that dies in between finishes or undoes it when it starts again (see
 * {@link ContainerManager#recover}). It names containers only; the new container's spec (which
 * may hold secrets) is never written here.
 *
 * @param address    the instance
 * @param oldId      the container being replaced
 * @param wasRunning whether it ran before, so an undo starts it again
 */
record RecreateIntent(String address, String oldId, boolean wasRunning) {

    /**
     * The steps of a multi-step change, in order; a test halts the agent after each to prove recovery. The first
     * is a create's (its network made, no container on it yet); the others are a recreate's.
     */
    enum Step {
        NETWORK_CREATED, INTENT_RECORDED, OLD_STOPPED, OLD_MOVED_ASIDE, NEW_CREATED, NEW_STARTED, OLD_REMOVED
    }

    /** The intents of one agent, one file per address under {@code dir}. */
    static final class Store {
        private final Path dir;

        Store(Path dir) {
            this.dir = dir;
        }

        void write(RecreateIntent intent) {
            Optional<RecreateIntent> other = readAny(intent.address())
                    .filter(i -> !i.address().equals(intent.address()));
            if (other.isPresent()) {
                throw new IllegalStateException("refusing to record the recreate of " + intent.address() + ": "
                        + file(intent.address()) + " is the recreate of " + other.get().address());
            }
            try {
                Files.createDirectories(dir);
                Ledger.writeAtomically(file(intent.address()), Json.MAPPER.writeValueAsBytes(intent));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot record the recreate of " + intent.address() + " in " + dir, e);
            }
        }

        /**
         * The intent of {@code address}. Another key of the same name cannot have one (the ledger gives a name to
         * one key only), but an intent is only ever acted on, overwritten or deleted for the very key it names.
         */
        Optional<RecreateIntent> read(String address) {
            return readAny(address).filter(i -> address.equals(i.address()));
        }

        private Optional<RecreateIntent> readAny(String address) {
            Path f = file(address);
            try {
                return Files.exists(f) ? Optional.of(Json.MAPPER.readValue(Files.readAllBytes(f), RecreateIntent.class))
                        : Optional.empty();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the recreate intent " + f, e);
            }
        }

        List<RecreateIntent> all() {
            List<RecreateIntent> out = new ArrayList<>();
            if (!Files.isDirectory(dir)) {
                return out;
            }
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    out.add(Json.MAPPER.readValue(Files.readAllBytes(f), RecreateIntent.class));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the recreate intents in " + dir, e);
            }
            return out;
        }

        void delete(String address) {
            if (readAny(address).filter(i -> !i.address().equals(address)).isPresent()) {
                return; // another key's
            }
            try {
                Files.deleteIfExists(file(address));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete the recreate intent of " + address, e);
            }
        }

        private Path file(String address) {
            return dir.resolve(Addresses.safeName(address) + ".json");
        }
    }
}
