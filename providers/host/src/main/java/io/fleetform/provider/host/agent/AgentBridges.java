package io.fleetform.provider.host.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetform.engine.text.Digests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * {@code network = agent_bridge}: the IDC's network as a Linux bridge this agent makes, and each container's
 * {@code eth0} as a veth on it, given by this agent, instead of a Docker network. Docker 20.10 starts its embedded
 * DNS resolver for every container on a user-defined network (a re-execution of dockerd into the namespace and 11
 * {@code iptables} commands, on every start), and no option skips it; a container of network mode {@code none}
 * equipped here costs two {@code ip -batch} commands instead.
 *
 * <p>Per network (fleet and IDC): the bridge {@code ffb<hash>} with the subnet's gateway address, its alias
 * {@code fleetform <owner> <network>} saying whose it is, and iptables rules commented {@code fleetform <owner>
 * <bridge>}: masquerading of what leaves the subnet, forwarding within the bridge and out of it, answers back, and
 * nothing to or from Docker's bridges or other agent bridges. Per container: the veth {@code ffv<hash of the
 * instance key>} (aliased {@code fleetform <key>}), its peer moved into the container's namespace as {@code eth0}
 * with the fixed IPv4, up, and the default route through the gateway. Names are fixed by the identity, so a run
 * again (or a second watcher) finds what is there and finishes it instead of making another.
 *
 * <p>Only what carries this fleet's identity is changed or removed: a link of the bridge's name that is not this
 * fleet's bridge is refused and left alone; a bridge is removed only when no instance of the fleet is on it and no
 * interface of anyone else is attached to it; rules are deleted by their exact spec and comment. An instance's
 * published ports are DNAT rules of its own, made after its eth0 (see {@link BridgePorts}).
 */
public final class AgentBridges {
    static final String DRIVER = "agent_bridge";
    private static final System.Logger LOG = System.getLogger(AgentBridges.class.getName());
    static final String INSIDE = "eth0";

    /** Runs a command with its standard input; its output, or an exception with what it said. */
    @FunctionalInterface
    interface Shell {
        String run(List<String> argv, String stdin);
    }

    private final Shell shell;
    /** Bridges made or checked by this agent, by name: the next container on one runs no command for it. */
    private final Set<String> checked = ConcurrentHashMap.newKeySet();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    /** Intent records: a bridge about to be made, so one a kill left without its alias is adopted, not refused. */
    private final Path pendingDir;
    /** Each instance's published ports: DNAT rules of this agent's (see {@link BridgePorts}). */
    private final BridgePorts ports;

    /** @param pendingDir where bridges about to be made are recorded; beside it, {@code agent-bridge-ports/} */
    AgentBridges(Path pendingDir, Shell shell) {
        this.pendingDir = pendingDir;
        this.shell = shell;
        this.ports = new BridgePorts(pendingDir.resolveSibling("agent-bridge-ports"), shell);
    }

    BridgePorts ports() {
        return ports;
    }

    /** The Linux bridge of {@code owner}'s network {@code network}: 13 characters (a link name has at most 15). */
    public static String bridgeName(String owner, String network) {
        return "ffb" + Digests.sha256Hex(owner + "\u0000" + network).substring(0, 10);
    }

    /** The host end of the instance's veth. */
    static String vethName(String key) {
        return "ffv" + Digests.sha256Hex(key).substring(0, 10);
    }

    static String bridgeAlias(String owner, String network) {
        return "fleetform " + owner + " " + network;
    }

    static String vethAlias(String key) {
        return "fleetform " + key;
    }

    private Object lock(String name) {
        return locks.computeIfAbsent(name, k -> new Object());
    }

    // ------------------------------------------------------------------ the bridge

    /** Makes sure the bridge of {@code n} exists as this fleet's, with its gateway address and rules. */
    void ensure(NetworkSpec n, String owner) {
        String bridge = bridgeName(owner, n.name());
        if (checked.contains(bridge)) {
            return;
        }
        synchronized (lock(bridge)) {
            if (checked.contains(bridge)) {
                return;
            }
            String alias = bridgeAlias(owner, n.name());
            String cidr = n.gateway() + "/" + prefix(n.subnet());
            Optional<JsonNode> link = link(bridge);
            if (link.isPresent()) {
                String found = link.get().path("ifalias").asText("");
                boolean adopt = found.isEmpty() && pending(bridge).filter(alias::equals).isPresent()
                        && "bridge".equals(link.get().path("linkinfo").path("info_kind").asText());
                if (!alias.equals(found) && !adopt) {
                    throw ApiException.conflict(new Conflict("network", n.name(), null, "link " + bridge
                            + " exists and is not fleet " + owner + "'s agent bridge for network " + n.name()
                            + " (its alias is \"" + found + "\"): it is left alone; remove it if nothing uses it"));
                }
                shell.run(List.of("ip", "-batch", "-"), "link set " + bridge + " alias \"" + alias + "\"\n"
                        + "addr replace " + cidr + " dev " + bridge + "\nlink set " + bridge + " up\n");
            } else {
                clashes(n, bridge);
                markPending(bridge, alias);
                // one batch: the bridge, whose it is, its address, up; a kill inside it leaves a bridge the
                // record above lets the next run adopt
                shell.run(List.of("ip", "-batch", "-"), "link add " + bridge + " type bridge\n"
                        + "link set " + bridge + " alias \"" + alias + "\"\n"
                        + "addr add " + cidr + " dev " + bridge + "\nlink set " + bridge + " up\n");
            }
            ensureRules(bridge, n.subnet(), owner);
            clearPending(bridge);
            checked.add(bridge);
        }
    }

    /** Another interface of this host with an address in the subnet: the kernel would route it two ways. */
    private void clashes(NetworkSpec n, String bridge) {
        JsonNode all = json(shell.run(List.of("ip", "-j", "-4", "addr", "show"), null));
        for (JsonNode link : all) {
            for (JsonNode a : link.path("addr_info")) {
                String ip = a.path("local").asText("");
                if (Addresses.isIpv4(ip) && Addresses.overlaps(ip + "/" + a.path("prefixlen").asInt(32), n.subnet())) {
                    throw ApiException.conflict(new Conflict("subnet", n.subnet(), null, "subnet " + n.subnet()
                            + " of network " + n.name() + " overlaps " + ip + "/" + a.path("prefixlen").asInt()
                            + " on interface " + link.path("ifname").asText() + " of this host, so bridge " + bridge
                            + " cannot take it; choose another ip_pool or remove that address"));
                }
            }
        }
    }

    /**
     * The filter chain of this host's agent bridges, jumped to from the top of {@code FORWARD}: a rule of the host's
     * own (a firewall's closing {@code -j DROP}, as Docker does by policy) never comes before the bridges' accepts.
     * Docker does the same with its {@code DOCKER-USER}/{@code DOCKER-FORWARD} chains.
     */
    static final String CHAIN = "FLEETFORM-FORWARD";
    /** The comment of the jump to {@link #CHAIN}: shared by every fleet's bridges, removed with the last of them. */
    static final String JUMP_COMMENT = "fleetform agent bridges";
    static final String JUMP = "-A FORWARD -m comment --comment \"" + JUMP_COMMENT + "\" -j " + CHAIN;

    /**
     * The bridge's rules, in the form {@code iptables -S} lists them (so a rule is found by its line): masquerading
     * of what leaves the subnet; in {@link #CHAIN}, forwarding within the bridge and out of it, answers back, nothing
     * to Docker's bridges or another agent bridge.
     */
    static List<BridgePorts.Rule> rules(String bridge, String subnet, String owner) {
        String comment = "fleetform " + owner + " " + bridge;
        List<BridgePorts.Rule> out = new ArrayList<>();
        out.add(rule(comment, "nat", "POSTROUTING", "MASQUERADE", "-s", subnet, "!", "-o", bridge));
        out.add(rule(comment, "filter", CHAIN, "ACCEPT", "-i", bridge, "-o", bridge));
        out.add(rule(comment, "filter", CHAIN, "ACCEPT", "-o", bridge, "-m", "conntrack", "--ctstate",
                "RELATED,ESTABLISHED"));
        out.add(rule(comment, "filter", CHAIN, "DROP", "-i", bridge, "-o", "br-+"));
        out.add(rule(comment, "filter", CHAIN, "DROP", "-i", bridge, "-o", "docker0"));
        out.add(rule(comment, "filter", CHAIN, "DROP", "-i", bridge, "-o", "ffb+"));
        out.add(rule(comment, "filter", CHAIN, "ACCEPT", "-i", bridge));
        return out;
    }

    private static BridgePorts.Rule rule(String comment, String table, String chain, String target, String... spec) {
        List<String> r = new ArrayList<>(List.of(spec));
        r.addAll(List.of("-m", "comment", "--comment", comment, "-j", target));
        return new BridgePorts.Rule(table, chain, r);
    }

    /**
     * Makes the bridge's rules, and {@link #CHAIN} with its one jump first in FORWARD, in one {@code iptables-restore}
     * after one listing of each table ({@link Tables#change}); a rule of the bridge an older agent put in FORWARD
     * itself moves.
     */
    private void ensureRules(String bridge, String subnet, String owner) {
        String comment = "--comment \"fleetform " + owner + " " + bridge + "\"";
        Tables.change(shell, now -> {
            StringBuilder nat = new StringBuilder();
            StringBuilder filter = new StringBuilder();
            filter.append(jumpFirst(now));
            for (String line : now.filter()) { // an older agent's, straight in FORWARD: moved to the chain
                if (line.startsWith("-A FORWARD ") && hasComment(line, comment)) {
                    filter.append("-D").append(line.substring(2)).append('\n');
                }
            }
            for (BridgePorts.Rule r : rules(bridge, subnet, owner)) {
                if (!now.has(r)) {
                    ("nat".equals(r.table()) ? nat : filter).append(r.line()).append('\n');
                }
            }
            return Tables.Edit.of(nat, filter);
        });
    }

    /**
     * The restore lines that make {@link #CHAIN} and put its jump, once, first in FORWARD (below Docker's own jumps
     * is first enough, see {@link #dockers}); none when it is so.
     */
    private static String jumpFirst(Tables now) {
        StringBuilder b = new StringBuilder();
        if (!now.filter().contains("-N " + CHAIN)) {
            // -N, not ":CHAIN": with --noflush, ":" empties a chain that exists (another agent made it since the
            // listing); -N fails the restore instead, which is tried again on a new listing
            b.append("-N ").append(CHAIN).append('\n');
        }
        List<String> forward = now.filter().stream().filter(l -> l.startsWith("-A FORWARD ")).toList();
        long jumps = forward.stream().filter(JUMP::equals).count();
        if (jumps == 1 && forward.subList(0, forward.indexOf(JUMP)).stream().allMatch(AgentBridges::dockers)) {
            return b.toString();
        }
        for (long i = 0; i < jumps; i++) { // there twice (two agents at one moment), or below another rule
            b.append("-D").append(JUMP.substring(2)).append('\n');
        }
        return b.append("-I FORWARD 1").append(JUMP.substring("-A FORWARD".length())).append('\n').toString();
    }

    /**
     * Docker's own jumps, which it puts back first whenever it makes a network: above the agent's they are fine
     * ({@code DOCKER-USER} is the host's documented place for its own policy; the others act on Docker's bridges
     * only), so the agent's jump is not moved back above them each time.
     */
    static boolean dockers(String forwardLine) {
        return forwardLine.matches("-A FORWARD -j DOCKER-[A-Z0-9-]+");
    }

    static boolean hasComment(String line, String quotedComment) {
        return line.contains(quotedComment + " ") || line.endsWith(quotedComment);
    }

    /**
     * Removes the bridge of {@code owner}'s network when it is this fleet's, no instance of the fleet is on it
     * ({@code inUse}) and no interface but this fleet's veths is attached; then its rules.
     */
    NetworkRemoval remove(String network, String owner, boolean inUse) {
        String bridge = bridgeName(owner, network);
        synchronized (lock(bridge)) {
            checked.remove(bridge);
            Optional<JsonNode> link = link(bridge);
            if (link.isEmpty()) {
                clearPending(bridge);
                return NetworkRemoval.absent(network);
            }
            if (!bridgeAlias(owner, network).equals(link.get().path("ifalias").asText(""))) {
                return NetworkRemoval.absent(network); // not this fleet's: never touched
            }
            if (inUse) {
                return NetworkRemoval.inUse(network);
            }
            List<String> foreign = new ArrayList<>();
            List<String> ours = new ArrayList<>();
            for (JsonNode slave : json(shell.run(List.of("ip", "-j", "link", "show", "master", bridge), null))) {
                String name = slave.path("ifname").asText();
                String alias = slave.path("ifalias").asText("");
                (name.startsWith("ffv") && alias.startsWith("fleetform " + owner + "/") ? ours : foreign).add(name);
            }
            if (!foreign.isEmpty()) {
                return NetworkRemoval.kept(network, "agent bridge " + bridge + " of network " + network + " is kept:"
                        + " interface" + (foreign.size() > 1 ? "s " : " ") + String.join(", ", foreign) + " attached"
                        + " to it " + (foreign.size() > 1 ? "are" : "is") + " not this fleet's (left alone); detach "
                        + (foreign.size() > 1 ? "them" : "it") + " (ip link set " + foreign.get(0) + " nomaster),"
                        + " then run the command again");
            }
            for (String veth : ours) { // left by containers that are gone (their namespace goes asynchronously)
                deleteLink(veth);
            }
            removeRules(bridge, owner); // first: a kill after it leaves the bridge, which the next removal finds
            deleteLink(bridge);
            clearPending(bridge);
            return NetworkRemoval.removed(network);
        }
    }

    /**
     * Deletes exactly the rules carrying this bridge's comment, as {@code iptables -S} lists them (so one of an
     * older spec or place goes too, and a rule like it without the comment, someone else's, stays), in one restore;
     * with the last bridge's rules, the jump and {@link #CHAIN} (when nothing else is left in it).
     */
    private void removeRules(String bridge, String owner) {
        String comment = "--comment \"fleetform " + owner + " " + bridge + "\"";
        Tables.change(shell, now -> {
            StringBuilder nat = new StringBuilder();
            StringBuilder filter = new StringBuilder();
            for (String line : now.nat()) {
                if (line.startsWith("-A POSTROUTING ") && hasComment(line, comment)) {
                    nat.append("-D").append(line.substring(2)).append('\n');
                }
            }
            int left = 0;
            for (String line : now.filter()) {
                boolean ours = hasComment(line, comment);
                if ((line.startsWith("-A FORWARD ") || line.startsWith("-A " + CHAIN + " ")) && ours) {
                    filter.append("-D").append(line.substring(2)).append('\n');
                } else if (line.startsWith("-A " + CHAIN + " ")) {
                    left++; // another bridge's (or a port's): the chain stays
                }
            }
            if (left == 0 && now.filter().contains("-N " + CHAIN)) {
                for (String line : now.filter()) {
                    if (line.equals(JUMP)) {
                        filter.append("-D").append(JUMP.substring(2)).append('\n');
                    }
                }
                // fails, with the whole table's restore, when a rule was added to the chain outside the lock
                // meanwhile: decided again
                filter.append("-X ").append(CHAIN).append('\n');
            }
            return Tables.Edit.of(nat, filter);
        });
    }

    /** The words of an {@code iptables -S} line, a quoted comment as one. */
    static List<String> words(String rule) {
        List<String> out = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(rule);
        while (m.find()) {
            out.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        return out;
    }

    // ------------------------------------------------------------------ a container's eth0

    /** How {@link #equip} looks at what is there first. */
    enum Look {
        /** The container was just started by this agent: nothing is there yet, the two batches run at once. */
        FRESH,
        /** A start event: nothing to do when this agent equipped the same process (namespace) already. */
        WATCHED,
        /** Look at everything (a put of a running instance: what was changed by hand is drift, put back). */
        CHECK,
        /**
         * The agent's start: the eth0 as {@link #CHECK}; the published ports only finished when a kill left them half
         * made (a rule deleted by hand since is drift, for the plan to show and apply to put back).
         */
        RECOVER
    }

    /** The container process each instance key was last equipped for: its namespace has its eth0. */
    private final Map<String, Long> equippedPid = new ConcurrentHashMap<>();

    /** The lock {@link #equip} takes for {@code key}: a put holds it from the container's start to its equip. */
    Object keyLock(String key) {
        return lock(key);
    }

    /**
     * Gives the running container of {@code pid} its {@code eth0} on the bridge: the veth, the address and the
     * default route, whatever of them is missing; what was done.
     */
    List<String> equip(String key, NetworkSpec n, long pid, Look look) {
        String owner = Addresses.owner(key);
        ensure(n, owner);
        String bridge = bridgeName(owner, n.name());
        String veth = vethName(key);
        String cidr = n.ipv4() + "/" + prefix(n.subnet());
        String inside = "addr replace " + cidr + " dev " + INSIDE + "\nlink set " + INSIDE + " up\n"
                + "route replace default via " + n.gateway() + " dev " + INSIDE + "\n";
        synchronized (lock(key)) {
            if (look == Look.WATCHED && Long.valueOf(pid).equals(equippedPid.get(key))) {
                return List.of(); // the put that started it equipped it (it held this lock meanwhile)
            }
            if (look == Look.FRESH) {
                try {
                    shell.run(List.of("ip", "-batch", "-"), "link add " + veth + " type veth peer name " + INSIDE
                            + " netns " + pid + "\n" + hostEnd(veth, key, bridge));
                    shell.run(nsenter(pid, "ip", "-batch", "-"), inside);
                    equippedPid.put(key, pid);
                    List<String> done = new ArrayList<>(List.of("eth0 " + cidr + " on agent bridge " + bridge));
                    done.addAll(ports.publish(key, n)); // after eth0: the DNAT target exists
                    return done;
                } catch (ShellException e) {
                    checked.remove(bridge); // removed by hand since? looked at again below
                    ensure(n, owner);
                }
            }
            for (int attempt = 1; ; attempt++) {
                try {
                    List<String> done = look(key, n, pid, bridge, veth, cidr, inside);
                    equippedPid.put(key, pid);
                    done.addAll(look == Look.RECOVER ? ports.finish(key, n) : ports.publish(key, n));
                    return done;
                } catch (ShellException e) {
                    // another agent (or a watcher of another process) equipping the same container at this moment
                    // removed or made the veth between two of these commands: look again, after a pause of a random
                    // few milliseconds, so two equippers that collided do not collide again in step
                    if (attempt >= LOOK_ATTEMPTS) {
                        throw e;
                    }
                    pauseBeforeLookingAgain(attempt);
                }
            }
        }
    }

    private static final int LOOK_ATTEMPTS = 6;

    private static void pauseBeforeLookingAgain(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(5, 25) * attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ShellException(List.of("ip"), "interrupted");
        }
    }

    private List<String> look(String key, NetworkSpec n, long pid, String bridge, String veth, String cidr,
                          String inside) {
        List<String> done = new ArrayList<>();
        Optional<JsonNode> eth0 = insideLink(pid);
        if (eth0.isEmpty()) {
            Optional<JsonNode> stale = link(veth);
            if (stale.isPresent()) { // of the namespace of an earlier start, going away, or a half-made pair
                deleteLink(veth);
            }
            shell.run(List.of("ip", "link", "add", veth, "type", "veth", "peer", "name", INSIDE, "netns",
                    Long.toString(pid)), null);
            done.add("veth " + veth);
        }
        Optional<JsonNode> host = link(veth);
        if (host.isEmpty() || !bridge.equals(host.get().path("master").asText(""))
                || !vethAlias(key).equals(host.get().path("ifalias").asText(""))
                || !host.get().path("flags").toString().contains("\"UP\"")) {
            shell.run(List.of("ip", "-batch", "-"), hostEnd(veth, key, bridge));
            done.add(veth + " on " + bridge);
        }
        Optional<JsonNode> now = insideLink(pid);
        if (now.isEmpty() || !addresses(now.get()).equals(List.of(cidr))
                || !now.get().path("flags").toString().contains("\"UP\"")
                || !n.gateway().equals(defaultVia(pid))) {
            for (String other : now.map(AgentBridges::addresses).orElse(List.of())) {
                if (!other.equals(cidr)) { // one address: the instance's; another put by hand is drift
                    shell.run(nsenter(pid, "ip", "addr", "del", other, "dev", INSIDE), null);
                }
            }
            shell.run(nsenter(pid, "ip", "-batch", "-"), inside);
            done.add("eth0 " + cidr + " via " + n.gateway());
        }
        return done;
    }

    /** Whether the container of {@code pid} has its eth0 with the instance's address and default route. */
    boolean equipped(NetworkSpec n, long pid) {
        try {
            Optional<JsonNode> now = insideLink(pid);
            return now.isPresent() && addresses(now.get()).equals(List.of(n.ipv4() + "/" + prefix(n.subnet())))
                    && n.gateway().equals(defaultVia(pid));
        } catch (ShellException e) {
            return false; // it stopped in between
        }
    }

    /**
     * The eth0 the spec gives an instance, in the words {@link #describe} finds it in: its address, and the default
     * route through the gateway.
     */
    static String wanted(NetworkSpec n) {
        return wanted(n.ipv4(), n.subnet(), n.gateway());
    }

    /** {@link #wanted} of an instance of IPv4 {@code ipv4} on {@code subnet} through {@code gateway}. */
    public static String wanted(String ipv4, String subnet, String gateway) {
        return ipv4 + "/" + prefix(subnet) + " via " + gateway;
    }

    /**
     * The eth0 of the container of {@code pid} as it is, for drift: {@link #wanted} when it has the instance's one
     * address, is up, routes by default through the gateway and its host end is on the bridge; otherwise what is
     * there ({@code missing}, {@code 10.1.0.5/24 down via none}, {@code ... (host end ffv... not on ffb...)}). Null when
     * the container stopped meanwhile.
     */
    String describe(String key, NetworkSpec n, long pid) {
        try {
            Optional<JsonNode> eth0 = insideLink(pid);
            if (eth0.isEmpty()) {
                return "missing";
            }
            List<String> addresses = addresses(eth0.get());
            String via = defaultVia(pid);
            String found = (addresses.isEmpty() ? "no address" : String.join(",", addresses))
                    + (eth0.get().path("flags").toString().contains("\"UP\"") ? "" : " down")
                    + " via " + (via == null ? "none" : via);
            String bridge = bridgeName(Addresses.owner(key), n.name());
            Optional<JsonNode> host = link(vethName(key));
            if (host.isEmpty() || !bridge.equals(host.get().path("master").asText(""))
                    || !host.get().path("flags").toString().contains("\"UP\"")) {
                found += " (host end " + vethName(key) + " not up on " + bridge + ")";
            }
            return found;
        } catch (ShellException e) {
            return null; // it stopped in between: nothing to say
        }
    }

    /** The host end of a gone container, if it is still there, and its published ports' rules. */
    void release(String key) {
        equippedPid.remove(key);
        ports.unpublish(key);
        String veth = vethName(key);
        Optional<JsonNode> link = link(veth);
        if (link.isPresent() && vethAlias(key).equals(link.get().path("ifalias").asText(""))) {
            deleteLink(veth);
        }
    }

    private static String hostEnd(String veth, String key, String bridge) {
        return "link set " + veth + " alias \"" + vethAlias(key) + "\"\nlink set " + veth + " master " + bridge
                + " up\n";
    }

    private Optional<JsonNode> insideLink(long pid) {
        try {
            JsonNode n = json(shell.run(nsenter(pid, "ip", "-j", "addr", "show", "dev", INSIDE), null));
            return n.isArray() && !n.isEmpty() ? Optional.of(n.get(0)) : Optional.empty();
        } catch (ShellException e) {
            if (e.getMessage().contains("does not exist") || e.getMessage().contains("Cannot find device")) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private String defaultVia(long pid) {
        for (JsonNode r : json(shell.run(nsenter(pid, "ip", "-j", "route", "show", "default"), null))) {
            if (r.hasNonNull("gateway")) {
                return r.path("gateway").asText();
            }
        }
        return null;
    }

    private static List<String> addresses(JsonNode link) {
        List<String> out = new ArrayList<>();
        for (JsonNode a : link.path("addr_info")) {
            if ("inet".equals(a.path("family").asText())) {
                out.add(a.path("local").asText() + "/" + a.path("prefixlen").asInt());
            }
        }
        return out;
    }

    private static List<String> nsenter(long pid, String... argv) {
        List<String> full = new ArrayList<>(List.of("nsenter", "-t", Long.toString(pid), "-n"));
        full.addAll(List.of(argv));
        return full;
    }

    private Optional<JsonNode> link(String name) {
        try {
            JsonNode n = json(shell.run(List.of("ip", "-d", "-j", "link", "show", "dev", name), null));
            return n.isArray() && !n.isEmpty() ? Optional.of(n.get(0)) : Optional.empty();
        } catch (ShellException e) {
            if (e.getMessage().contains("does not exist") || e.getMessage().contains("Cannot find device")) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private void deleteLink(String name) {
        try {
            shell.run(List.of("ip", "link", "del", name), null);
        } catch (ShellException e) {
            if (!e.getMessage().contains("Cannot find device") && !e.getMessage().contains("does not exist")) {
                throw e;
            }
        }
    }

    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text.isBlank() ? "[]" : text);
        } catch (IOException e) {
            throw new IllegalStateException("unreadable `ip -j` answer: " + e.getMessage());
        }
    }

    static int prefix(String subnet) {
        return Integer.parseInt(subnet.substring(subnet.indexOf('/') + 1));
    }

    // ------------------------------------------------------------------ intent records and recovery

    private void markPending(String bridge, String alias) {
        try {
            Files.createDirectories(pendingDir);
            Ledger.writeAtomically(pendingDir.resolve(bridge), alias.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot record the bridge " + bridge + " in " + pendingDir, e);
        }
    }

    private Optional<String> pending(String bridge) {
        try {
            Path f = pendingDir.resolve(bridge);
            return Files.isRegularFile(f) ? Optional.of(Files.readString(f).strip()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private void clearPending(String bridge) {
        try {
            Files.deleteIfExists(pendingDir.resolve(bridge));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot update " + pendingDir + ": " + e.getMessage());
        }
    }

    /**
     * What a killed run left: a bridge whose making was recorded and that no instance of its fleet uses is removed
     * (with what was made of its rules), one in use is finished by the next container's equip.
     *
     * @param used whether an instance of the owner (first argument) is on the network (second argument)
     */
    void recover(java.util.function.BiPredicate<String, String> used) {
        if (!Files.isDirectory(pendingDir)) {
            return;
        }
        try (var files = Files.list(pendingDir)) {
            for (Path f : files.toList()) {
                String[] alias = Files.readString(f).strip().split(" ", 3); // fleetform <owner> <network>
                if (alias.length == 3 && !used.test(alias[1], alias[2])) {
                    adoptForRemoval(f.getFileName().toString(), alias[1], alias[2]);
                    NetworkRemoval r = remove(alias[2], alias[1], false);
                    LOG.log(System.Logger.Level.INFO, "agent bridge of " + alias[2] + " left by a killed run: "
                            + r.outcome());
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot clean up agent bridges left half made: " + e.getMessage());
        }
    }

    /** A bridge a kill left without its alias gets it (its making was recorded), so the removal knows it. */
    private void adoptForRemoval(String bridge, String owner, String network) {
        Optional<JsonNode> link = link(bridge);
        if (link.isPresent() && link.get().path("ifalias").asText("").isEmpty()
                && "bridge".equals(link.get().path("linkinfo").path("info_kind").asText())) {
            shell.run(List.of("ip", "link", "set", bridge, "alias", bridgeAlias(owner, network)), null);
        }
    }

    /** Runs the {@code ip}/{@code iptables}/{@code nsenter} commands on this machine. */
    static final Shell SYSTEM = (argv, stdin) -> {
        try {
            Process p = new ProcessBuilder(argv).start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            // ip's answers are small: read the error stream after the output without a thread of its own
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new ShellException(argv, "timed out after 30s");
            }
            if (p.exitValue() != 0) {
                String said = new String(err, StandardCharsets.UTF_8).strip();
                throw new ShellException(argv, said.isEmpty() ? "exit " + p.exitValue() : said);
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ShellException(argv, "cannot run " + argv.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ShellException(argv, "interrupted");
        }
    };

    /** A command that failed: its command line and what it said. */
    static final class ShellException extends RuntimeException {
        ShellException(List<String> argv, String said) {
            super("`" + String.join(" ", argv) + "` failed: " + said);
        }
    }

    /** Whether a put can need this class, from the spec alone. */
    static boolean isAgentBridge(NetworkSpec n) {
        return n != null && DRIVER.equals(n.driver());
    }

    static Predicate<ContainerSpec> on(String network) {
        return s -> s != null && isAgentBridge(s.network()) && network.equals(s.network().name());
    }
}
