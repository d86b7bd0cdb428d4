package io.fleetform.provider.host.agent;

import io.fleetform.engine.text.Digests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Bounds an instance's data directory with an XFS project quota (the directory and all it holds
 * count against one project whose hard block limit is the disk size), where the agent's data
 * filesystem is XFS mounted with {@code prjquota} and {@code xfs_quota} is installed. Elsewhere
 * nothing bounds the directory, and {@link #unsupportedReason} says why, once, in the facts.
 */
final class DataQuota {
    private final Path dataDir;
    private final Optional<Mount> mount;

    /** A line of {@code /proc/self/mounts}. */
    record Mount(String point, String type, List<String> options) {
    }

    DataQuota(Path dataDir) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.mount = mountOf(this.dataDir);
    }

    /** Empty when the data directories can be bounded; otherwise why not, for the facts and the plan. */
    Optional<String> unsupportedReason() {
        if (mount.isEmpty()) {
            return Optional.of("the filesystem of " + dataDir + " is not in /proc/self/mounts");
        }
        Mount m = mount.get();
        if (!m.type().equals("xfs")) {
            return Optional.of("the data directory " + dataDir + " is on " + m.type() + " (" + m.point()
                    + "); only xfs with project quota (mount option prjquota) can bound it");
        }
        if (m.options().stream().noneMatch(o -> o.equals("prjquota") || o.equals("pquota"))) {
            return Optional.of("xfs at " + m.point() + " is mounted without prjquota");
        }
        if (xfsQuota().isEmpty()) {
            return Optional.of("xfs_quota (Debian package xfsprogs) is not installed");
        }
        return Optional.empty();
    }

    /** Puts {@code dir} under project {@code id} with a hard limit of {@code bytes}. */
    void limit(Path dir, int id, long bytes) {
        Path tool = xfsQuota().orElseThrow();
        String point = mount.orElseThrow().point();
        run(tool, "project -s -p " + dir.toAbsolutePath() + " " + id, point);
        run(tool, "limit -p bhard=" + bytes + " " + id, point);
    }

    /** A stable project id for an address (1 .. 2^31-1; 0 is "no project"). */
    static int projectId(String address) {
        int h = Integer.parseUnsignedInt(Digests.sha256Hex(address).substring(0, 7), 16);
        return 1 + h % (Integer.MAX_VALUE - 1);
    }

    private static void run(Path tool, String command, String point) {
        List<String> argv = new ArrayList<>(List.of(tool.toString(), "-x", "-c", command, point));
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new ApiException(502, "engine_error", "xfs_quota -c '" + command + "' " + point + " failed: "
                        + (out.isEmpty() ? "exit " + p.exitValue() : out));
            }
        } catch (IOException e) {
            throw new ApiException(502, "engine_error", "cannot run xfs_quota: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "engine_unavailable", "interrupted while setting a disk quota");
        }
    }

    private static Optional<Path> xfsQuota() {
        for (String d : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin")) {
            Path p = Path.of(d, "xfs_quota");
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static Optional<Mount> mountOf(Path dir) {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/self/mounts"));
        } catch (IOException e) {
            return Optional.empty();
        }
        Path real = dir;
        try {
            Files.createDirectories(dir);
            real = dir.toRealPath();
        } catch (IOException e) {
            // use the path as given
        }
        Mount best = null;
        for (String line : lines) {
            String[] f = line.split(" ");
            if (f.length < 4) {
                continue;
            }
            String point = f[1].replace("\\040", " ");
            if (real.startsWith(point) && (best == null || point.length() >= best.point().length())) {
                best = new Mount(point, f[2], List.of(f[3].split(",")));
            }
        }
        return Optional.ofNullable(best);
    }
}
