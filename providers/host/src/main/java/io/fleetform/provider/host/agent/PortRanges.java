package io.fleetform.provider.host.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The kernel's side of the host ports the agent hands out. A port of the agent's range that is also one of the
 * kernel's ephemeral ports ({@code ip_local_port_range}, less {@code ip_local_reserved_ports}) can become the local
 * end of any outgoing connection on the host between its claim and its container's start: the facts say which, and
 * the plan warns. Ports a process listens on right now are not handed out.
 */
final class PortRanges {
    static final String EPHEMERAL = "proc/sys/net/ipv4/ip_local_port_range";
    static final String RESERVED = "proc/sys/net/ipv4/ip_local_reserved_ports";
    /** The sockets of the agent's own network namespace (the host's, for an agent on the host). */
    private static final Path NET = Path.of("/proc/net");
    private static final String TCP_LISTEN = "0A";
    private static final String UDP_UNCONNECTED = "07";

    private PortRanges() {
    }

    /**
     * What the facts say of the agent's range: the range, the kernel's ephemeral and reserved ports, and those of the
     * range the kernel may hand to an outgoing connection (null when none, or when the kernel's range is unknown).
     */
    static HostFacts.PortFacts facts(Path root, SortedSet<Integer> range) {
        SortedSet<Integer> ephemeral = ephemeral(root);
        SortedSet<Integer> reserved = reserved(root);
        String exposed = null;
        if (range != null && !ephemeral.isEmpty()) {
            TreeSet<Integer> both = new TreeSet<>(range);
            both.retainAll(ephemeral);
            both.removeAll(reserved);
            exposed = both.isEmpty() ? null : CpuList.format(both);
        }
        return new HostFacts.PortFacts(range == null ? null : CpuList.format(range),
                ephemeral.isEmpty() ? null : CpuList.format(ephemeral), CpuList.format(reserved), exposed);
    }

    /** {@code ip_local_port_range} ("32768	60999"); empty when unreadable. */
    static SortedSet<Integer> ephemeral(Path root) {
        // readAllLines, not readString: procfs reports a size that makes readString stop after one character
        List<String> lines = lines(root.resolve(EPHEMERAL));
        String[] bounds = lines.isEmpty() ? new String[0] : lines.get(0).strip().split("\\s+");
        try {
            if (bounds.length == 2) {
                int low = Integer.parseInt(bounds[0]);
                int high = Integer.parseInt(bounds[1]);
                if (low >= 1 && low <= high && high <= 65535) {
                    return CpuList.parse(low + "-" + high);
                }
            }
        } catch (NumberFormatException e) {
            // not the kernel's format: unknown
        }
        return new TreeSet<>();
    }

    /** {@code ip_local_reserved_ports} ("30000-32767,40000"): ports the kernel never picks as ephemeral ones. */
    static SortedSet<Integer> reserved(Path root) {
        List<String> lines = lines(root.resolve(RESERVED));
        String text = lines.isEmpty() ? "" : lines.get(0).strip();
        try {
            return text.isEmpty() ? new TreeSet<>() : CpuList.parse(text);
        } catch (IllegalArgumentException e) {
            return new TreeSet<>();
        }
    }

    /** The TCP ports listened on and UDP ports bound in the agent's network namespace, from {@code /proc/net}. */
    static Set<Integer> listening() {
        return listening(NET);
    }

    static Set<Integer> listening(Path net) {
        try {
            return listeningOrFail(net);
        } catch (IOException | java.io.UncheckedIOException e) {
            Set<Integer> out = new TreeSet<>(); // no TCP table: the other tables, as far as they are there
            sockets(lines(net.resolve("tcp6")), TCP_LISTEN, out);
            sockets(lines(net.resolve("udp")), UDP_UNCONNECTED, out);
            sockets(lines(net.resolve("udp6")), UDP_UNCONNECTED, out);
            return out;
        }
    }

    /**
     * The same, each table read once, failing when the namespace's TCP table cannot be read (then nothing of that
     * namespace is known; the other tables may be missing where the kernel has no IPv6).
     */
    static Set<Integer> listeningOrFail(Path net) throws IOException {
        Set<Integer> out = new TreeSet<>();
        sockets(Files.readAllLines(net.resolve("tcp")), TCP_LISTEN, out);
        sockets(lines(net.resolve("tcp6")), TCP_LISTEN, out);
        sockets(lines(net.resolve("udp")), UDP_UNCONNECTED, out);
        sockets(lines(net.resolve("udp6")), UDP_UNCONNECTED, out);
        return out;
    }

    /** Lines {@code sl local_address rem_address st ...}, the local address {@code 0100007F:1F90} (port in hex). */
    private static void sockets(List<String> lines, String state, Set<Integer> out) {
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).strip().split("\\s+");
            if (f.length > 3 && state.equals(f[3])) {
                int colon = f[1].lastIndexOf(':');
                try {
                    out.add(Integer.parseInt(f[1].substring(colon + 1), 16));
                } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                    // a line of another format: skipped
                }
            }
        }
    }

    private static List<String> lines(Path p) {
        try {
            return Files.readAllLines(p);
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of();
        }
    }
}
