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
 * @param oldId      the container being replaced; null when its intent file was damaged (then found by name)
 * @param wasRunning whether it ran before, so an undo starts it again
 */
record RecreateIntent(String address, String oldId, boolean wasRunning) {
    private static final System.Logger LOG = System.getLogger(RecreateIntent.class.getName());

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
            Optional<RecreateIntent> other = another(intent.address());
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
         * The intent recorded for {@code address}, if any. A file that cannot be read (damaged by hand or by the disk:
         * it is written atomically, so never torn by a crash) is moved aside, kept as {@code <file>.damaged-<time>},
         * and stands for an intent whose old container is unknown ({@code oldId} null, {@code wasRunning} true): the
         * recovery then finds the old container from its name, so a damaged file never blocks the instance. Another
         * key of the same name cannot have one (the ledger gives a name to one key only), but a readable intent of
         * another key is never acted on, overwritten, moved or deleted for this one.
         */
        Optional<RecreateIntent> read(String address) {
            Path f = file(address);
            if (!Files.exists(f)) {
                return Optional.empty();
            }
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(f);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the recreate intent " + f, e);
            }
            Optional<RecreateIntent> intent = parse(bytes);
            if (intent.isPresent()) {
                return intent.filter(i -> address.equals(i.address()));
            }
            Path aside = f.resolveSibling(f.getFileName() + ".damaged-" + System.currentTimeMillis());
            try {
                Files.move(f, aside);
            } catch (IOException e) {
                throw new UncheckedIOException("the recreate intent " + f + " is damaged and cannot be moved aside", e);
            }
            LOG.log(System.Logger.Level.WARNING, "the recreate intent of " + address + " was damaged (kept as "
                    + aside + "); its containers are recovered by their names");
            return Optional.of(new RecreateIntent(address, null, true));
        }

        /**
         * Every readable intent. Only {@code *.json} files are intents (not a temporary file a crash left while one
         * was written, nor a damaged one kept aside); an unreadable one is left for {@link #read} of its address.
         */
        List<RecreateIntent> all() {
            List<RecreateIntent> out = new ArrayList<>();
            if (!Files.isDirectory(dir)) {
                return out;
            }
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    String name = f.getFileName().toString();
                    if (name.startsWith(".") || !name.endsWith(".json")) {
                        continue;
                    }
                    Optional<RecreateIntent> intent = parse(Files.readAllBytes(f));
                    if (intent.isPresent()) {
                        out.add(intent.get());
                    } else {
                        LOG.log(System.Logger.Level.WARNING, "the recreate intent " + f + " is damaged; the next"
                                + " change of its instance recovers it from the containers' names");
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the recreate intents in " + dir, e);
            }
            return out;
        }

        private static Optional<RecreateIntent> parse(byte[] bytes) {
            try {
                RecreateIntent i = Json.MAPPER.readValue(bytes, RecreateIntent.class);
                return i == null || i.address() == null || i.oldId() == null ? Optional.empty() : Optional.of(i);
            } catch (IOException e) {
                return Optional.empty();
            }
        }

        /** A readable intent of another key in {@code address}'s file. */
        private Optional<RecreateIntent> another(String address) {
            Path f = file(address);
            try {
                return Files.exists(f) ? parse(Files.readAllBytes(f)).filter(i -> !i.address().equals(address))
                        : Optional.empty();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the recreate intent " + f, e);
            }
        }

        void delete(String address) {
            if (another(address).isPresent()) {
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
