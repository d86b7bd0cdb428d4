package io.fleetform.provider.host.agent;

import io.fleetform.engine.text.Digests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The published ports of an instance on an agent bridge: the iptables rules Docker makes for a bridge network's
 * published port when it runs without its userland proxy ({@code userland-proxy=false}), made by this agent since the
 * container is of Docker's network mode {@code none}. Per port and protocol (TCP and UDP, as {@code bridge} publishes
 * them), each commented {@code fleetform <owner> <address>}:
 * <ul>
 *   <li>{@code nat PREROUTING}: what reaches any of the host's own addresses on the host port from outside is
 *       DNATed to the instance's IP and container port;</li>
 *   <li>{@code nat OUTPUT}: the same for the host's own connections (its addresses and 127.0.0.1);</li>
 *   <li>{@code nat POSTROUTING}: a connection from 127.0.0.0/8 leaves for the bridge masqueraded (the container
 *       would answer 127.0.0.1 to itself), which the kernel routes only with {@code route_localnet} on the bridge
 *       (set here, as Docker sets it on its bridge); and the instance reaching its own published port (hairpin);</li>
 *   <li>{@code filter FLEETFORM-FORWARD} (the agent's chain, jumped to first from FORWARD, see {@link
 *       AgentBridges#CHAIN}): the DNATed traffic is accepted to the instance (answers go out by the bridge's
 *       rules, see {@link AgentBridges#rules}).</li>
 * </ul>
 *
 * <p>Resumable: a record ({@code <dir>/<hash of the key>}: the key, {@code making}) is written before the container
 * starts, {@code made} once every rule is there, and removed after the last rule is, so a kill anywhere leaves
 * either nothing or a record: the agent's next start finishes what is {@code making} and removes the rules of a
 * container that went meanwhile, and the next publish or removal finds them. A rule missing from a {@code made}
 * instance was deleted since: drift, which the plan shows ({@link #live}) and the next put repairs. Rules are looked
 * up by their exact comment (all of an instance's made or deleted by one {@code iptables-restore --noflush}: 3
 * processes per instance with the listing, whatever its ports), so another fleet's, Docker's and anyone else's (a similar comment included) are never
 * changed; a rule of the instance that the spec no longer wants (an older host port) is deleted by its exact {@code
 * iptables -S} line.
 */
final class BridgePorts {
    private static final System.Logger LOG = System.getLogger(BridgePorts.class.getName());
    private static final List<String> PROTOCOLS = List.of("tcp", "udp");
    private static final List<String> NAT_CHAINS = List.of("PREROUTING", "OUTPUT", "POSTROUTING");
    /** iptables' comment match holds at most 255 characters. */
    private static final int COMMENT_MAX = 255;

    /** Record states: the rules are being made (a kill leaves them for the next start to finish), or were made. */
    static final String MAKING = "making";
    static final String MADE = "made";

    private final AgentBridges.Shell shell;
    private final Path records;

    BridgePorts(Path records, AgentBridges.Shell shell) {
        this.records = records;
        this.shell = shell;
    }

    /** One rule: its table and {@code iptables -S} line ({@code -A <chain> ...}), words as {@code -A} takes them. */
    record Rule(String table, String chain, List<String> spec) {
        /** The line {@code iptables -S} prints for it: the comment quoted. */
        String line() {
            StringBuilder b = new StringBuilder("-A ").append(chain);
            for (String w : spec) {
                b.append(' ').append(w.contains(" ") ? "\"" + w + "\"" : w);
            }
            return b.toString();
        }
    }

    /** The comment on the instance's rules: whose fleet and which instance. */
    static String comment(String key) {
        String owner = Addresses.owner(key);
        String address = Addresses.address(key);
        String plain = "fleetform " + owner + " " + address;
        // iptables -S would escape a quote or backslash, and the match takes 255 characters: such an address is hashed
        return plain.length() <= COMMENT_MAX && address.matches("[A-Za-z0-9._\\[\\]/:@+=,-]+") ? plain
                : "fleetform " + owner + " #" + Digests.sha256Hex(key).substring(0, 16);
    }

    /**
     * The rules of the instance {@code key} on {@code n}'s bridge, in the order and form {@code iptables -S} lists them
     * (so a rule is found by its line in one listing, never asked for one by one).
     */
    static List<Rule> rules(String key, NetworkSpec n) {
        List<Rule> out = new ArrayList<>();
        n.ports().forEach(p -> out.addAll(rules(key, n, p)));
        return out;
    }

    /** The rules of one port, TCP and UDP. */
    static List<Rule> rules(String key, NetworkSpec n, NetworkSpec.PublishedPort p) {
        String c = comment(key);
        String bridge = AgentBridges.bridgeName(Addresses.owner(key), n.name());
        String ip = n.ipv4() + "/32";
        String host = Integer.toString(p.hostPort());
        String inside = Integer.toString(p.containerPort());
        String to = n.ipv4() + ":" + inside;
        List<Rule> out = new ArrayList<>();
        for (String proto : PROTOCOLS) {
            for (String chain : List.of("PREROUTING", "OUTPUT")) {
                out.add(new Rule("nat", chain, List.of("-p", proto, "-m", "addrtype", "--dst-type", "LOCAL", "-m",
                        proto, "--dport", host, "-m", "comment", "--comment", c, "-j", "DNAT", "--to-destination",
                        to)));
            }
            out.add(new Rule("nat", "POSTROUTING", List.of("-s", "127.0.0.0/8", "-d", ip, "-o", bridge, "-p", proto,
                    "-m", proto, "--dport", inside, "-m", "comment", "--comment", c, "-j", "MASQUERADE")));
            out.add(new Rule("nat", "POSTROUTING", List.of("-s", ip, "-d", ip, "-p", proto, "-m", proto, "--dport",
                    inside, "-m", "comment", "--comment", c, "-j", "MASQUERADE")));
            out.add(new Rule("filter", AgentBridges.CHAIN, List.of("-d", ip, "!", "-i", bridge, "-o", bridge, "-p", proto,
                    "-m", proto, "--dport", inside, "-m", "comment", "--comment", c, "-j", "ACCEPT")));
        }
        return out;
    }

    /**
     * Records that the instance's rules are about to be made: called before its container starts, so a kill between
     * the start and the last rule leaves a record {@link #finish} (the agent's next start) completes.
     */
    void intend(String key, NetworkSpec n) {
        if (!n.ports().isEmpty() && !MAKING.equals(state(key).orElse(null))) {
            writeRecord(key, MAKING);
        }
    }

    /**
     * What the agent's start does: finishes the rules a kill left half made (the record says so). A rule of a
     * finished instance that is missing now was deleted since: drift, for the plan to show and apply to put back.
     */
    List<String> finish(String key, NetworkSpec n) {
        return MAKING.equals(state(key).orElse(null)) ? publish(key, n) : List.of();
    }

    /**
     * Makes the instance's rules match {@code n}'s ports: what is missing is added, a rule of the instance that
     * {@code n} does not want is deleted; what was done.
     */
    List<String> publish(String key, NetworkSpec n) {
        Optional<String> state = state(key);
        if (n.ports().isEmpty() && state.isEmpty()) {
            return List.of(); // never published: no command at all
        }
        List<Rule> want = rules(key, n);
        if (!want.isEmpty()) {
            routeLocalnet(AgentBridges.bridgeName(Addresses.owner(key), n.name()));
        }
        return publish(key, n, want);
    }

    /**
     * One listing of the tables and one {@code iptables-restore} deleting what is not wanted (or there twice) and
     * adding what is missing: a rule is looked up by its line as {@code iptables -S} prints it, nothing else.
     */
    private List<String> publish(String key, NetworkSpec n, List<Rule> want) {
        Set<String> wanted = new LinkedHashSet<>();
        want.forEach(r -> wanted.add(r.table() + " " + r.line()));
        Published made = Tables.change(shell, tables -> {
            Listing now = listing(tables);
            Optional<String> state = state(key);
            // not wanted (an older port or place), or wanted and there twice (two agents adding it at one moment)
            Set<String> seen = new java.util.HashSet<>();
            List<String[]> stale = now.ofComment(comment(key)).stream()
                    .filter(line -> !wanted.contains(line[0] + " " + line[1]) || !seen.add(line[0] + " " + line[1]))
                    .toList();
            List<Rule> missing = want.stream().filter(r -> !now.has(r)).toList();
            if ((!missing.isEmpty() || !stale.isEmpty()) && !want.isEmpty() && !MAKING.equals(state.orElse(null))) {
                writeRecord(key, MAKING); // first: whatever a kill leaves from here on, the record finds
            }
            StringBuilder nat = new StringBuilder();
            StringBuilder filter = new StringBuilder();
            stale.forEach(line -> ("nat".equals(line[0]) ? nat : filter).append("-D").append(line[1].substring(2))
                    .append('\n'));
            missing.forEach(r -> ("nat".equals(r.table()) ? nat : filter).append(r.line()).append('\n'));
            return new Tables.Edit<>(nat, filter, new Published(state, stale.size(), missing));
        });
        List<String> done = new ArrayList<>();
        if (made.stale() > 0) {
            done.add("removed " + made.stale() + " rule" + (made.stale() > 1 ? "s" : "") + " of ports no longer"
                    + " published (or there twice)");
        }
        Set<String> added = new TreeSet<>();
        for (NetworkSpec.PublishedPort p : n.ports()) {
            if (rules(key, n, p).stream().anyMatch(made.missing()::contains)) {
                added.add(p.name() + " " + p.hostPort() + "->" + n.ipv4() + ":" + p.containerPort());
            }
        }
        if (!added.isEmpty()) {
            done.add("published " + String.join(", ", added) + " (tcp, udp)");
        }
        if (want.isEmpty()) {
            clearRecord(key);
        } else if (!MADE.equals(made.state().orElse(null)) || !made.missing().isEmpty() || made.stale() > 0) {
            writeRecord(key, MADE);
        }
        return done;
    }

    /** What one publishing restore did: the record before it, the rules it deleted and those it added. */
    private record Published(Optional<String> state, int stale, List<Rule> missing) {
    }

    /**
     * The names of {@code n}'s ports whose rules are all on the host (for drift: a rule deleted by hand takes its
     * port out of this list).
     */
    List<String> live(String key, NetworkSpec n) {
        Listing now = list();
        List<String> out = new ArrayList<>();
        for (NetworkSpec.PublishedPort p : n.ports()) {
            if (rules(key, n, p).stream().allMatch(now::has)) {
                out.add(p.name());
            }
        }
        return out.stream().sorted().toList();
    }

    /** Deletes every rule of the instance (by its exact comment), then its record; nothing when none was made. */
    List<String> unpublish(String key) {
        if (state(key).isEmpty()) {
            return List.of();
        }
        int removed = Tables.change(shell, tables -> {
            List<String[]> ours = listing(tables).ofComment(comment(key));
            StringBuilder nat = new StringBuilder();
            StringBuilder filter = new StringBuilder();
            ours.forEach(line -> ("nat".equals(line[0]) ? nat : filter).append("-D").append(line[1].substring(2))
                    .append('\n'));
            return new Tables.Edit<>(nat, filter, ours.size()); // all at once
        });
        clearRecord(key);
        return removed == 0 ? List.of() : List.of("removed the " + removed + " rules of its published ports");
    }

    /** What a kill left: the rules of instances whose container is gone ({@code exists} says which are not). */
    void recover(Predicate<String> exists) {
        if (!Files.isDirectory(records)) {
            return;
        }
        try (var files = Files.list(records)) {
            for (Path f : files.toList()) {
                String key = Files.readString(f).strip().split("\n")[0];
                if (!key.isEmpty() && !exists.test(key)) {
                    LOG.log(System.Logger.Level.INFO, "published ports of " + key + ", whose container is gone: "
                            + unpublish(key));
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot clean up published ports of gone instances: "
                    + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ iptables

    /** The nat table's three chains and filter's FORWARD as {@code iptables -S} lists them. */
    private record Listing(List<String[]> lines) {
        boolean has(Rule r) {
            String line = r.line();
            return lines.stream().anyMatch(l -> l[0].equals(r.table()) && l[1].equals(line));
        }

        /** Each line ({@code {table, line}}) whose comment is exactly {@code comment}. */
        List<String[]> ofComment(String comment) {
            String quoted = "--comment \"" + comment + "\"";
            return lines.stream().filter(l -> l[1].contains(quoted + " ") || l[1].endsWith(quoted)).toList();
        }
    }

    /** One {@code iptables -S} of each table (two commands, whatever the number of rules). */
    private Listing list() {
        return listing(Tables.list(shell));
    }

    /** The lines of the tables the ports' rules live in. */
    private static Listing listing(Tables t) {
        List<String[]> lines = new ArrayList<>();
        for (String line : t.nat()) {
            for (String chain : NAT_CHAINS) {
                if (line.startsWith("-A " + chain + " ")) {
                    lines.add(new String[] {"nat", line});
                }
            }
        }
        for (String line : t.filter()) {
            if (line.startsWith("-A FORWARD ") || line.startsWith("-A " + AgentBridges.CHAIN + " ")) {
                lines.add(new String[] {"filter", line}); // FORWARD: an older agent's, moved to the chain
            }
        }
        return new Listing(lines);
    }

    /**
     * The kernel drops a packet from 127.0.0.0/8 routed out of an interface unless {@code route_localnet} is set on
     * it: set on the fleet's own bridge, as Docker sets it on its bridge without the userland proxy.
     */
    private void routeLocalnet(String bridge) {
        Path f = Path.of("/proc/sys/net/ipv4/conf", bridge, "route_localnet");
        try {
            if (Files.exists(f) && !"1".equals(Files.readString(f).strip())) {
                Files.writeString(f, "1");
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot set " + f + " (" + e.getMessage() + "): the host's own "
                    + "connections to 127.0.0.1 will not reach the published ports of bridge " + bridge);
        }
    }

    // ------------------------------------------------------------------ records

    private Path recordOf(String key) {
        return records.resolve(Digests.sha256Hex(key).substring(0, 32));
    }

    /** The record's state ({@link #MAKING} or {@link #MADE}), or empty when the instance has none. */
    private Optional<String> state(String key) {
        Path f = recordOf(key);
        try {
            if (!Files.isRegularFile(f)) {
                return Optional.empty();
            }
            String[] lines = Files.readString(f).strip().split("\n");
            return Optional.of(lines.length > 1 ? lines[1].strip() : MAKING);
        } catch (IOException e) {
            return Optional.of(MAKING); // unreadable: look at the rules rather than miss them
        }
    }

    /** {@code <key>\n<state>}: the key for the recovery of a gone container's rules, the state for a kill's. */
    private void writeRecord(String key, String state) {
        try {
            Files.createDirectories(records);
            Ledger.writeAtomically(recordOf(key), (key + "\n" + state + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot record the published ports of " + key + " in " + records + ": "
                    + e.getMessage(), e);
        }
    }

    private void clearRecord(String key) {
        try {
            Files.deleteIfExists(recordOf(key));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot update " + records + ": " + e.getMessage());
        }
    }
}
