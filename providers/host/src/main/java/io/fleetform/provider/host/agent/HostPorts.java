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
 * namespace, read from {@code <root>/proc/1/net} (pid 1's: an agent in a namespace of its own, e.g. a container,
 * still sees host-network containers, docker-proxy and the host's processes) and in the agent's own. What cannot be
 * read is said ({@link InUse#unchecked}), never taken as free of holders.
 */
final class HostPorts {
    static final String HOST_NET = "proc/1/net";

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
        PortRanges.listening().forEach(p -> held.putIfAbsent(p, "a socket in the agent's network namespace"));
        Path hostNet = root.resolve(HOST_NET);
        String unchecked = null;
        try {
            Files.readAllLines(hostNet.resolve("tcp"));
            for (int p : PortRanges.listening(hostNet)) {
                // a socket of the host's namespace is the stronger fact: said so even when the agent shares it
                if (!published.containsKey(p)) {
                    held.put(p, "a socket in the host's network namespace");
                }
            }
        } catch (IOException | java.io.UncheckedIOException | SecurityException e) {
            unchecked = "the sockets of the host's network namespace cannot be read (" + hostNet.resolve("tcp") + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + "), so a port a "
                    + "host-network container, docker-proxy or a process outside the agent's namespace holds may be "
                    + "handed out; run the agent with the host's /proc (on the host, or in a container with --pid "
                    + "host)";
        }
        return new InUse(held, unchecked);
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
