package io.fleetform.provider.host.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Block-IO caps of a running container, read and written through its cgroup (v1 {@code blkio.throttle.*} or
 * v2 {@code io.max}). Docker's update API cannot change device throttles, so in-place IO changes go here.
 */
final class Cgroups {
    private static final Path CGROUP_FS = Path.of("/sys/fs/cgroup");

    private Cgroups() {
    }

    /** Caps in bytes/s, 0 = none. */
    record Io(long readBps, long writeBps) {
    }

    private record Location(Path dir, boolean v1) {
    }

    private static Optional<Location> locate(long pid) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"));
        for (String line : lines) {
            String[] p = line.split(":", 3);
            if (p.length == 3 && List.of(p[1].split(",")).contains("blkio")) {
                Path dir = CGROUP_FS.resolve("blkio").resolve(p[2].substring(1));
                if (Files.isDirectory(dir)) {
                    return Optional.of(new Location(dir, true));
                }
            }
        }
        for (String line : lines) {
            String[] p = line.split(":", 3);
            if (p.length == 3 && p[0].equals("0") && p[1].isEmpty()) {
                Path dir = CGROUP_FS.resolve(p[2].substring(1));
                if (Files.isRegularFile(dir.resolve("io.max"))) {
                    return Optional.of(new Location(dir, false));
                }
            }
        }
        return Optional.empty();
    }

    static Optional<Io> read(long pid, String majorMinor) {
        try {
            Optional<Location> loc = locate(pid);
            if (loc.isEmpty()) {
                return Optional.empty();
            }
            Path dir = loc.get().dir();
            if (loc.get().v1()) {
                return Optional.of(new Io(v1Value(dir.resolve("blkio.throttle.read_bps_device"), majorMinor),
                        v1Value(dir.resolve("blkio.throttle.write_bps_device"), majorMinor)));
            }
            long r = 0;
            long w = 0;
            for (String line : Files.readAllLines(dir.resolve("io.max"))) {
                String[] t = line.strip().split("\\s+");
                if (t.length > 0 && t[0].equals(majorMinor)) {
                    for (String kv : t) {
                        if (kv.startsWith("rbps=") && !kv.endsWith("=max")) {
                            r = Long.parseLong(kv.substring(5));
                        } else if (kv.startsWith("wbps=") && !kv.endsWith("=max")) {
                            w = Long.parseLong(kv.substring(5));
                        }
                    }
                }
            }
            return Optional.of(new Io(r, w));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static long v1Value(Path file, String majorMinor) throws IOException {
        for (String line : Files.readAllLines(file)) {
            String[] t = line.strip().split("\\s+");
            if (t.length == 2 && t[0].equals(majorMinor)) {
                return Long.parseLong(t[1]);
            }
        }
        return 0;
    }

    static void write(long pid, String majorMinor, Io io) throws IOException {
        Location loc = locate(pid).orElseThrow(() -> new IOException("no blkio/io cgroup found for pid " + pid));
        if (loc.v1()) {
            Files.writeString(loc.dir().resolve("blkio.throttle.read_bps_device"), majorMinor + " " + io.readBps());
            Files.writeString(loc.dir().resolve("blkio.throttle.write_bps_device"), majorMinor + " " + io.writeBps());
        } else {
            Files.writeString(loc.dir().resolve("io.max"), majorMinor + " rbps="
                    + (io.readBps() == 0 ? "max" : io.readBps()) + " wbps=" + (io.writeBps() == 0 ? "max" : io.writeBps()));
        }
    }
}
