package io.fleetform.provider.sriov;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** {@link VfRecord}s, one JSON file each, written atomically and synced, named by a hash of the instance key. */
final class VfRecords {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;

    VfRecords(Path dir) {
        this.dir = dir;
    }

    Optional<VfRecord> get(String key) {
        Path f = file(key);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(Files.readAllBytes(f), VfRecord.class));
        } catch (IOException e) {
            throw new UncheckedIOException("the SR-IOV record " + f + " is unreadable; fix or move it aside", e);
        }
    }

    List<VfRecord> all() {
        List<VfRecord> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
            for (Path p : ds) {
                out.add(JSON.readValue(Files.readAllBytes(p), VfRecord.class));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the SR-IOV records in " + dir, e);
        }
        return out;
    }

    /** The record of the instance holding {@code pci}, if any. */
    Optional<VfRecord> byVf(String pci) {
        return all().stream().filter(r -> r.pci().equalsIgnoreCase(pci)).findFirst();
    }

    void put(VfRecord r) {
        try {
            Files.createDirectories(dir);
            Path target = file(r.key());
            Path tmp = dir.resolve("." + target.getFileName() + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.wrap(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(r)));
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the SR-IOV record of " + r.key() + " in " + dir, e);
        }
    }

    void delete(String key) {
        try {
            Files.deleteIfExists(file(key));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the SR-IOV record of " + key, e);
        }
    }

    private Path file(String key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return dir.resolve(HexFormat.of().formatHex(d, 0, 16) + ".json");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
