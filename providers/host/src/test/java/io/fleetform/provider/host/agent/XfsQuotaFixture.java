package io.fleetform.provider.host.agent;

import io.fleetform.provider.sriov.Commands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code xfs_quota} and {@code xfs_io} for an agent whose data filesystem stands for XFS with {@code prjquota}
 * (this machine's kernel has no XFS quota support): it keeps which directory is under which project and each
 * project's limit, and answers in the tools' formats ({@code report -p -n -N}: {@code #<id> used soft hard ...};
 * {@code lsproj}: {@code projid = <id>}). Every other command runs for real.
 */
final class XfsQuotaFixture implements Commands {
    private static final Pattern PROJECT = Pattern.compile("project -s -p (\\S+) (\\d+)");
    private static final Pattern LIMIT = Pattern.compile("limit -p bhard=(\\d+)(?: bsoft=\\d+)? (\\d+)");

    final Map<Path, Integer> projects = new ConcurrentHashMap<>();
    final Map<Integer, Long> limits = new ConcurrentHashMap<>();
    /** Commands starting with this fail while it is set (an agent killed there, or the tool refusing). */
    volatile String failing;

    /** The mount line that makes {@code base} the XFS filesystem, for {@code <root>/proc/self/mounts}. */
    static String mountLine(Path base) throws java.io.IOException {
        return "/dev/fixture " + base.toRealPath() + " xfs rw,relatime,attr2,inode64,prjquota 0 0\n";
    }

    /** Tags {@code dir} as an earlier agent did: under project {@code id} with a limit. */
    void tag(Path dir, int id, long bytes) {
        projects.put(dir.toAbsolutePath(), id);
        limits.put(id, bytes);
    }

    @Override
    public String run(List<String> argv) {
        String tool = Path.of(argv.get(0)).getFileName().toString();
        if (tool.equals("xfs_io")) {
            Path dir = Path.of(argv.get(argv.size() - 1)).toAbsolutePath();
            if (!Files.isDirectory(dir)) {
                throw new CommandException(argv, 1, dir + ": No such file or directory");
            }
            return "projid = " + projects.getOrDefault(dir, 0) + "\n";
        }
        if (!tool.equals("xfs_quota")) {
            return Commands.SYSTEM.run(argv);
        }
        String command = argv.get(argv.indexOf("-c") + 1);
        String fail = failing;
        if (fail != null && command.startsWith(fail)) {
            throw new CommandException(argv, 1, "fixture: failed on cue");
        }
        Matcher p = PROJECT.matcher(command);
        Matcher l = LIMIT.matcher(command);
        if (p.matches()) {
            projects.put(Path.of(p.group(1)).toAbsolutePath(), Integer.parseInt(p.group(2)));
            return "Setting up project " + p.group(2) + " (path " + p.group(1) + ")...\n";
        } else if (l.matches()) {
            long bytes = Long.parseLong(l.group(1));
            int id = Integer.parseInt(l.group(2));
            if (bytes == 0) {
                limits.remove(id);
            } else {
                limits.put(id, bytes);
            }
            return "";
        } else if (command.equals("report -p -n -N")) {
            Map<Integer, Long> shown = new TreeMap<>(limits);
            projects.forEach((dir, id) -> {
                if (Files.isDirectory(dir)) {
                    shown.putIfAbsent(id, 0L);
                }
            });
            StringBuilder out = new StringBuilder("#0                   0          0          0     00 [--------]\n");
            shown.forEach((id, bytes) -> out.append(String.format("#%-19d %10d %10d %10d     00 [--------]%n", id, 0,
                    0, bytes / 1024)));
            return out.toString();
        }
        throw new CommandException(argv, 1, "fixture: unknown xfs_quota command " + command);
    }

    /** The project {@code dir} is under now, 0 for none. */
    int projectOf(Path dir) {
        return projects.getOrDefault(dir.toAbsolutePath(), 0);
    }
}
