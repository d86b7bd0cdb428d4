package io.fleetform.provider.host.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

/**
 * The CPU the Docker Engine spent for a benchmark, read from {@code /proc} (the machine is shared, so wall time
 * alone moves with everybody's load; this figure moves much less): dockerd and containerd with their reaped
 * children (dockerd's re-executions of itself, {@code iptables}, {@code docker-proxy}), the shims of the
 * benchmark's own containers with theirs ({@code runc}), and this JVM's reaped children (the commands a
 * benchmark runs itself, such as {@code ip}). Only on the Engine's own machine, as root; otherwise zeros.
 */
final class EngineCpu {
    private static final double TICK_MS = 10.0; // USER_HZ is 100 on Linux

    private EngineCpu() {
    }

    /** dockerd's and containerd's CPU so far, with their reaped children, in ms. */
    static double daemons() {
        return pids("dockerd", "containerd").stream().mapToDouble(EngineCpu::cpuMs).sum();
    }

    /** The shims' CPU (with their runc children) of the containers whose ids are given, in ms. */
    static double shims(Collection<String> containerIds) {
        double sum = 0;
        for (long pid : pids("containerd-shim")) {
            String cmdline = read(Path.of("/proc", Long.toString(pid), "cmdline")).replace('\0', ' ');
            for (String id : containerIds) {
                if (cmdline.contains("-id " + id)) {
                    sum += cpuMs(pid);
                    break;
                }
            }
        }
        return sum;
    }

    /** This JVM's reaped children's CPU, in ms. */
    static double ownChildren() {
        String[] f = fields(ProcessHandle.current().pid());
        return f == null ? 0 : (Long.parseLong(f[13]) + Long.parseLong(f[14])) * TICK_MS;
    }

    private static double cpuMs(long pid) {
        String[] f = fields(pid);
        if (f == null) {
            return 0;
        }
        // utime stime cutime cstime: fields 14-17 of stat, 12-15 after the command
        return (Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]))
                * TICK_MS;
    }

    /** The fields of /proc/PID/stat after the command's closing parenthesis (the state first). */
    private static String[] fields(long pid) {
        String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
        int close = stat.lastIndexOf(')');
        return close < 0 ? null : stat.substring(close + 2).trim().split(" ");
    }

    private static List<Long> pids(String... comms) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .filter(p -> {
                        String comm = read(p.resolve("comm")).strip();
                        for (String c : comms) {
                            if (comm.equals(c) || c.equals("containerd-shim") && comm.startsWith(c)) {
                                return true;
                            }
                        }
                        return false;
                    }).map(p -> Long.parseLong(p.getFileName().toString())).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException | RuntimeException e) {
            return ""; // gone in between, or not readable
        }
    }
}
