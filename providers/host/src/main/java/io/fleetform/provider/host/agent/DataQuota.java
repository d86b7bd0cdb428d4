package io.fleetform.provider.host.agent;

import io.fleetform.engine.text.Digests;
import io.fleetform.provider.sriov.Commands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bounds an instance's data directory with an XFS project quota (the directory and all it holds
 * count against one project whose hard block limit is the disk size), where the agent's data
 * filesystem is XFS mounted with {@code prjquota} and {@code xfs_quota} is installed. Elsewhere
 * nothing bounds the directory, and {@link #unsupportedReason} says why, once, in the facts.
 *
 * <p>Which project an instance gets is the ledger's business ({@link Ledger#assignProjectId}): one id per instance
 * on the host, recorded before the quota is set. This class only runs the tools, through {@code commands} (the
 * system's in production, a fixture's in tests: a kernel without XFS quota support cannot run them).
 */
final class DataQuota {
    /**
     * Ids the ledger hands out start here: above every id an earlier agent derived from an instance's key
     * ({@link #legacyProjectId}, 1 .. 2^28) and the small ones Docker's overlay2 quota gives containers on xfs.
     */
    static final int FIRST_ALLOCATED = 1 << 29;
    static final int LAST_ALLOCATED = Integer.MAX_VALUE - 1;
    private static final Pattern REPORT_LINE = Pattern.compile("^#(\\d+)\\s");
    private static final Pattern PROJID = Pattern.compile("projid\\s*=\\s*(\\d+)");

    private final Path dataDir;
    private final Path mountTable;
    private final Optional<Mount> mount;
    private final Commands commands;

    /** A line of {@code /proc/self/mounts}. */
    record Mount(String point, String type, List<String> options) {
    }

    /** @param mountTable the mounts to find the data filesystem in ({@code <root>/proc/self/mounts}) */
    DataQuota(Path dataDir, Path mountTable, Commands commands) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.mountTable = mountTable;
        this.commands = commands;
        this.mount = mountOf(this.dataDir, mountTable);
    }

    /** Empty when the data directories can be bounded; otherwise why not, for the facts and the plan. */
    Optional<String> unsupportedReason() {
        if (mount.isEmpty()) {
            return Optional.of("the filesystem of " + dataDir + " is not in " + mountTable);
        }
        Mount m = mount.get();
        if (!m.type().equals("xfs")) {
            return Optional.of("the data directory " + dataDir + " is on " + m.type() + " (" + m.point()
                    + "); only xfs with project quota (mount option prjquota) can bound it");
        }
        if (m.options().stream().noneMatch(o -> o.equals("prjquota") || o.equals("pquota"))) {
            return Optional.of("xfs at " + m.point() + " is mounted without prjquota");
        }
        if (tool("xfs_quota").isEmpty() || tool("xfs_io").isEmpty()) {
            return Optional.of("xfs_quota and xfs_io (Debian package xfsprogs) are not installed");
        }
        return Optional.empty();
    }

    boolean supported() {
        return unsupportedReason().isEmpty();
    }

    /** Puts {@code dir} (and all it holds) under project {@code id} with a hard limit of {@code bytes}. */
    void limit(Path dir, int id, long bytes) {
        quota("project -s -p " + dir.toAbsolutePath() + " " + id);
        quota("limit -p bhard=" + bytes + " " + id);
    }

    /** Drops the limit of project {@code id} (its directory is gone): the filesystem forgets the project. */
    void clear(int id) {
        quota("limit -p bhard=0 bsoft=0 " + id);
    }

    /** The project {@code dir} is under, empty for none (0) or when it does not exist. */
    OptionalInt projectOf(Path dir) {
        if (!Files.isDirectory(dir)) {
            return OptionalInt.empty();
        }
        String out = run(List.of(tool("xfs_io").orElseThrow().toString(), "-r", "-c", "lsproj", dir.toString()),
                "xfs_io -c lsproj " + dir);
        Matcher m = PROJID.matcher(out);
        if (!m.find()) {
            throw new ApiException(502, "engine_error", "cannot read the project of " + dir + ": xfs_io said '"
                    + out.strip() + "'");
        }
        long id = Long.parseLong(m.group(1));
        return id == 0 || id > Integer.MAX_VALUE ? OptionalInt.empty() : OptionalInt.of((int) id);
    }

    /**
     * Every project the data filesystem has a quota record of (a directory under it, or a limit): an id here is
     * held by a live directory (this agent's, another agent's on the same filesystem, or one an earlier version
     * tagged) and must not be given to anyone else.
     */
    Set<Integer> inUse() {
        Set<Integer> out = new TreeSet<>();
        for (String line : quota("report -p -n -N").split("\n")) {
            Matcher m = REPORT_LINE.matcher(line.strip() + " ");
            if (m.find()) {
                long id = Long.parseLong(m.group(1));
                if (id > 0 && id <= Integer.MAX_VALUE) {
                    out.add((int) id);
                }
            }
        }
        return out;
    }

    /**
     * The id agents before the ledger allocated project ids gave an instance: a 28-bit hash of its key, which two
     * instances on one host can share. Their directories keep it where no other instance holds it.
     */
    static int legacyProjectId(String key) {
        int h = Integer.parseUnsignedInt(Digests.sha256Hex(key).substring(0, 7), 16);
        return 1 + h % (Integer.MAX_VALUE - 1);
    }

    private String quota(String command) {
        String point = mount.orElseThrow().point();
        return run(List.of(tool("xfs_quota").orElseThrow().toString(), "-x", "-c", command, point),
                "xfs_quota -c '" + command + "' " + point);
    }

    private String run(List<String> argv, String what) {
        try {
            return commands.run(argv);
        } catch (Commands.CommandException e) {
            throw new ApiException(502, "engine_error", what + " failed: " + (e.stderr().isEmpty()
                    ? "exit " + e.exitCode() : e.stderr()));
        }
    }

    private static Optional<Path> tool(String name) {
        for (String d : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin")) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static Optional<Mount> mountOf(Path dir, Path mountTable) {
        List<String> lines;
        try {
            lines = Files.readAllLines(mountTable);
        } catch (IOException | java.io.UncheckedIOException e) {
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
