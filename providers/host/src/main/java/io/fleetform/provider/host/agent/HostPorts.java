package io.fleetform.provider.host.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What holds host ports outside the agent's ledger, as far as the agent can see: ports any container on the Docker
 * Engine publishes (whoever made it; only read), and sockets listening (TCP) or bound (UDP) in the host's network
 * namespace, read from {@code <root>/proc/1/net} (pid 1's: an agent in a network namespace of its own, e.g. a
 * container with {@code --pid host}, still sees host-network containers, docker-proxy and the host's processes) and
 * in the agent's own (not read again when it is pid 1's). What cannot be read is said ({@link InUse#unchecked}),
 * never taken as free of holders; so is a {@code /proc} of a PID namespace of the agent's own, whose pid 1 is not the
 * host's init and whose {@code /proc/1/net} is that pid 1's namespace, not necessarily the host's.
 */
final class HostPorts {
    static final String HOST_NET = "proc/1/net";
    /** The kernel's initial PID namespace: the same inode on every host ({@code PROC_PID_INIT_INO}). */
    static final String INIT_PID_NS = "pid:[4026531836]";
    private static final Path OWN_NET_NS = Path.of("/proc/self/ns/net");
    private static final String RUN_WITH_HOST_PROC = "run the agent with the host's /proc (on the host, or in a "
            + "container with --pid host)";

    private HostPorts() {
    }

    /**
     * @param held      port to what holds it
     * @param unchecked what could not be checked and why (null when everything could)
     */
    record InUse(SortedMap<Integer, String> held, String unchecked) {
    }

    /** The ports held now: {@code published} (port to its container) and the sockets of both namespaces. */
    static InUse read(Path root, Map<Integer, String> published) {
        SortedMap<Integer, String> held = new TreeMap<>(published);
        Path hostNet = root.resolve(HOST_NET);
        String unchecked = null;
        try {
            for (int p : PortRanges.listeningOrFail(hostNet)) {
                // a socket of the host's namespace is the stronger fact: said so even when the agent shares it
                if (!published.containsKey(p)) {
                    held.put(p, "a socket in the host's network namespace");
                }
            }
            unchecked = ownPidNamespace(root.resolve("proc"));
        } catch (IOException | java.io.UncheckedIOException | SecurityException e) {
            unchecked = "the sockets of the host's network namespace cannot be read (" + hostNet.resolve("tcp") + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + "), so a port a "
                    + "host-network container, docker-proxy or a process outside the agent's namespace holds may be "
                    + "handed out; " + RUN_WITH_HOST_PROC;
        }
        if (!sameNetNamespace(root.resolve("proc/1/ns/net"), OWN_NET_NS)) {
            PortRanges.listening().forEach(p -> held.putIfAbsent(p, "a socket in the agent's network namespace"));
        }
        return new InUse(held, unchecked);
    }

    /**
     * Why {@code proc} (a {@code /proc}) is not the host's PID namespace, or null when it is: its pid 1's namespace
     * when the agent may read it, else whether kernel threads are seen (kthreadd, pid 2 with parent 0, is seen only in
     * the initial namespace; the host's init is often not the agent's to inspect, even as root in a container).
     */
    static String ownPidNamespace(Path proc) {
        try {
            String ns = Files.readSymbolicLink(proc.resolve("1/ns/pid")).toString();
            return ns.equals(INIT_PID_NS) ? null : ownPid(proc, "its pid 1 is in " + ns + ", not the host's initial "
                    + "PID namespace " + INIT_PID_NS);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // not the agent's to read (the host's init, typically): the kernel threads tell
        }
        try {
            for (String line : Files.readAllLines(proc.resolve("2/status"))) {
                if (line.startsWith("PPid:")) {
                    return line.substring("PPid:".length()).strip().equals("0") ? null
                            : ownPid(proc, "its pid 2 is not the kernel's kthreadd");
                }
            }
            return ownPid(proc, "its pid 2 is not the kernel's kthreadd");
        } catch (java.nio.file.NoSuchFileException e) {
            return ownPid(proc, "it has no pid 2 (the kernel's kthreadd, seen only in the host's PID namespace)");
        } catch (IOException | java.io.UncheckedIOException | SecurityException e) {
            return ownPid(proc, "neither its pid 1's namespace nor its pid 2 can be read (" + e.getMessage() + ")");
        }
    }

    private static String ownPid(Path proc, String why) {
        return "the agent runs in a PID namespace of its own (" + proc + ": " + why + "), so " + proc.resolve("1/net")
                + " shows the sockets of that namespace's pid 1, which need not be the host's: a port a host-network "
                + "container, docker-proxy or a process of the host holds may be handed out; " + RUN_WITH_HOST_PROC;
    }

    /** Whether both links name one network namespace (false when either cannot be read: both are read then). */
    private static boolean sameNetNamespace(Path a, Path b) {
        try {
            return Files.readSymbolicLink(a).equals(Files.readSymbolicLink(b));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** {@code 31000-31001 (published by container x), 31005 (a socket in ...)}: the ports grouped by holder. */
    static String describe(Set<Integer> ports, Map<Integer, String> why) {
        Map<String, TreeSet<Integer>> byHolder = new LinkedHashMap<>();
        for (int p : new TreeSet<>(ports)) {
            byHolder.computeIfAbsent(why.getOrDefault(p, "something outside the agent"), k -> new TreeSet<>()).add(p);
        }
        List<String> parts = new ArrayList<>();
        byHolder.forEach((holder, held) -> parts.add(CpuList.format(held) + " (" + holder + ")"));
        int shown = Math.min(parts.size(), 8);
        return String.join(", ", parts.subList(0, shown)) + (parts.size() > shown ? " and " + (parts.size() - shown)
                + " more holders" : "");
    }

    /** The same, as one entry per holder, for the ledger's answer. */
    static List<LedgerView.HeldPorts> grouped(Map<Integer, String> why) {
        Map<String, TreeSet<Integer>> byHolder = new TreeMap<>();
        why.forEach((p, holder) -> byHolder.computeIfAbsent(holder, k -> new TreeSet<>()).add(p));
        List<LedgerView.HeldPorts> out = new ArrayList<>();
        byHolder.forEach((holder, held) -> out.add(new LedgerView.HeldPorts(CpuList.format(held), holder)));
        out.sort(java.util.Comparator.comparing((LedgerView.HeldPorts h) -> CpuList.parse(h.ports()).first()));
        return out;
    }
}
