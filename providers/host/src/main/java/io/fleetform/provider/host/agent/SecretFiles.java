package io.fleetform.provider.host.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * An instance's secret environment values as root-only files, one per name, mounted read-only into
 * its container at {@link #MOUNT}: Docker's configuration and labels never see them, so
 * {@code docker inspect} shows none. Kept outside the data directory, which the game server owns.
 *
 * <p>Each folder carries the key it was written for ({@link #MARKER}); one marked for another key is never written,
 * read or deleted for this one (a folder from before markers is taken as the key's own: the ledger gives a name to
 * one key only).
 */
final class SecretFiles {
    /** Where a container finds its secret environment values ({@code NAME_FILE} points here). */
    static final String MOUNT = "/run/secrets/fleetform";
    /** The key a folder was written for; a dot file, so no environment variable's name meets it. */
    static final String MARKER = ".fleetform-owner";

    private final Path root;

    SecretFiles(Path root) {
        this.root = root;
    }

    Path path(String key) {
        return root.resolve(Addresses.safeName(key));
    }

    /** Whether {@code key} has secrets (a folder of another key's is not mounted for it). */
    boolean exists(String key) {
        return Files.isDirectory(path(key)) && ownedBy(path(key), key);
    }

    /**
     * Writes the values (mode 0400, folder 0700), replacing what was there. The folder stays the same,
     * so a running container's bind mount sees the new contents.
     */
    void put(String key, Map<String, String> values) throws IOException {
        Path dir = path(key);
        requireOwn(dir, key, "written");
        Path fresh = dir.resolveSibling(dir.getFileName() + ".new");
        deleteTree(fresh);
        Files.createDirectories(fresh.getParent());
        Files.createDirectory(fresh, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        for (Map.Entry<String, String> e : values.entrySet()) {
            Path file = fresh.resolve(e.getKey());
            Files.writeString(file, e.getValue());
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));
        }
        Files.writeString(fresh.resolve(MARKER), key);
        if (Files.exists(dir)) {
            try (var files = Files.list(dir)) {
                for (Path old : files.toList()) {
                    Files.delete(old);
                }
            }
            try (var files = Files.list(fresh)) {
                for (Path f : files.toList()) {
                    Files.move(f, dir.resolve(f.getFileName()), StandardCopyOption.ATOMIC_MOVE);
                }
            }
            Files.delete(fresh);
        } else {
            Files.move(fresh, dir, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /**
     * The instance's secret values, longest first (a secret that holds another is replaced whole), leaving out those
     * too short to tell from ordinary text; none when it has no secrets.
     */
    java.util.List<String> values(String key) {
        Path dir = path(key);
        if (!Files.isDirectory(dir) || !ownedBy(dir, key)) {
            return java.util.List.of();
        }
        java.util.List<String> values = new java.util.ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                if (file.getFileName().toString().equals(MARKER)) {
                    continue;
                }
                String value = Files.readString(file);
                if (value.strip().length() >= io.fleetform.dsl.diag.SecretsInDiagnostics.MIN_LENGTH) {
                    values.add(value);
                    if (!value.strip().equals(value)) {
                        values.add(value.strip()); // as a command prints it, without the file's newline
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the secrets of " + key, e);
        }
        values.sort(java.util.Comparator.comparingInt(String::length).reversed());
        return values;
    }

    void remove(String key) {
        Path dir = path(key);
        if (Files.isDirectory(dir) && ownedBy(dir, key)) {
            deleteTree(dir);
        }
    }

    /** Whether {@code dir} is {@code key}'s: marked for it, or unmarked (written before markers). */
    private static boolean ownedBy(Path dir, String key) {
        Path marker = dir.resolve(MARKER);
        try {
            return !Files.exists(marker) || Files.readString(marker).equals(key);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the owner of " + dir, e);
        }
    }

    private static void requireOwn(Path dir, String key, String what) {
        if (Files.isDirectory(dir) && !ownedBy(dir, key)) {
            throw ApiException.conflict(new Conflict("secrets", dir.toString(), null, "the secrets of instance "
                    + key + " were not " + what + ": " + dir + " holds another instance's secrets; it was left "
                    + "untouched"));
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
