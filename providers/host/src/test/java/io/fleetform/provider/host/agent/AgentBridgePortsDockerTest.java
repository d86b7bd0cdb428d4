package io.fleetform.provider.host.agent;

import static io.fleetform.provider.host.agent.DockerSupport.IMAGE_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fleetform.engine.testing.Loopback;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Published ports of {@code agent_bridge} instances on the real Docker Engine and the kernel's iptables: the agent's
 * DNAT rules take a host port to the instance's IP, over TCP (busybox httpd) and UDP (an echo) on one port, from
 * the host itself (127.0.0.1 and the host's own address) and from a network namespace standing for a client outside
 * (traffic stays on this machine). Two fleets publish at once; only the instance's own rules are ever touched (a
 * foreign rule with a comment like the fleet's stays); what a kill leaves is finished or removed by the next start, a
 * rule deleted by hand is seen and put back, and another agent's instance cannot claim a port one holds (both ways).
 */
class AgentBridgePortsDockerTest extends DockerTestBase {
    private final String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
    private final String owner1 = "bport1.t" + suffix;
    private final String owner2 = "bport2.t" + suffix;
    private final String network = "bport-" + suffix;
    private final String netns = "bport" + suffix;
    private final List<List<String>> foreignRules = new ArrayList<>();

    /** httpd on TCP 8080 (busybox has no UDP server: {@link #udpEcho} runs one in the container's namespace). */
    private static final List<String> SERVER = List.of("sh", "-c", "trap 'exit 0' TERM; mkdir -p /www;"
            + " echo hello-$HOSTNAME > /www/index.html; httpd -f -p 8080 -h /www & wait");

    private NetworkSpec net(String prefix, int host, int hostPort) {
        return new NetworkSpec(network, AgentBridges.DRIVER, prefix + ".0/24", prefix + ".1", null, prefix + "." + host,
                List.of(new NetworkSpec.PublishedPort("game", 8080, hostPort)));
    }

    private static AllocationRequest claim(String core, String ip, int hostPort) {
        return new AllocationRequest(0, core, 256 * MIB, ip, 1L << 30, null, List.of(hostPort));
    }

    private static ContainerSpec spec(NetworkSpec n, String core) {
        return ContainerSpec.pinned(IMAGE_1, core, 64 * MIB, n).withCommand(SERVER).withStopTimeoutSeconds(2);
    }

    private ContainerInfo put(TestAgent a, String key, NetworkSpec n, String core) {
        a.client().claim(key, claim(core, n.ipv4(), n.ports().get(0).hostPort()));
        return a.client().putContainer(key, spec(n, core)).container();
    }

    /** An agent handing out the leased range {@code first..first+3}. */
    private TestAgent agent(String name, int first) throws Exception {
        TestAgent a = agent(name);
        Files.writeString(a.dataDir.resolve(AgentService.PORT_RANGE_FILE), first + "-" + (first + 3) + "\n");
        return a;
    }

    private static String sh(String... argv) {
        DockerSupport.Result r = DockerSupport.run(argv);
        assertThat(r.exit()).as(String.join(" ", argv) + ": " + r.err()).isZero();
        return r.out();
    }

    /** The rules carrying exactly the instance's comment, in the nat table and FORWARD. */
    private static List<String> rulesOf(String key) {
        String quoted = "\"" + BridgePorts.comment(key) + "\"";
        return (sh("iptables", "-t", "nat", "-S") + sh("iptables", "-S")).lines()
                .filter(l -> l.contains(quoted)).toList();
    }

    /** Every rule of the fleet (its bridge's and its instances'). */
    private static List<String> fleetRules(String owner) {
        return (sh("iptables", "-t", "nat", "-S") + sh("iptables", "-S")).lines()
                .filter(l -> l.contains("\"fleetform " + owner + " ")).toList();
    }

    /** The host's own address on its uplink (not a bridge of Docker's or of an agent). */
    private static String hostAddress() {
        for (String line : sh("ip", "-4", "-o", "addr", "show", "scope", "global").lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (!f[1].startsWith("ffb") && !f[1].startsWith("br-") && !f[1].startsWith("docker")
                    && !f[1].startsWith("bpo")) {
                return f[3].replaceAll("/.*", "");
            }
        }
        return "172.17.0.1"; // docker0's: still the host's own
    }

    /**
     * A UDP echo server on port 8080 of the container's network namespace (the host's python3 entered into it, since
     * busybox has none), until the returned process is destroyed.
     */
    private static Process udpEcho(String container) throws Exception {
        String pid = DockerSupport.inspect(container, "{{.State.Pid}}").strip();
        return new ProcessBuilder("nsenter", "-t", pid, "-n", "/usr/bin/python3", "-c", "import socket\n"
                + "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.bind(('0.0.0.0', 8080))\nwhile True:\n"
                + "    d, a = s.recvfrom(512)\n    s.sendto(b'udp-' + d, a)\n").redirectErrorStream(true).start();
    }

    /** What the UDP echo answers at {@code host:port} to {@code ping}. */
    private static String udpAsk(String host, int port) throws Exception {
        byte[] ping = "ping".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(500);
            for (int attempt = 0; attempt < 20; attempt++) {
                s.send(new DatagramPacket(ping, ping.length, new InetSocketAddress(host, port)));
                byte[] buf = new byte[512];
                DatagramPacket answer = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(answer);
                    return new String(buf, 0, answer.getLength(), java.nio.charset.StandardCharsets.UTF_8);
                } catch (SocketTimeoutException | java.net.PortUnreachableException e) {
                    Thread.sleep(100);
                }
            }
        }
        return "no answer";
    }

    /** A client outside the host: a network namespace on a veth pair, the host's end {@code prefix.1}. */
    private String outsideClient() {
        String prefix = freeSubnetPrefix();
        sh("ip", "netns", "add", netns);
        sh("ip", "link", "add", "bpo" + suffix, "type", "veth", "peer", "name", "bpi" + suffix, "netns", netns);
        sh("ip", "addr", "add", prefix + ".1/24", "dev", "bpo" + suffix);
        sh("ip", "link", "set", "bpo" + suffix, "up");
        sh("ip", "netns", "exec", netns, "ip", "addr", "add", prefix + ".2/24", "dev", "bpi" + suffix);
        sh("ip", "netns", "exec", netns, "ip", "link", "set", "bpi" + suffix, "up");
        sh("ip", "netns", "exec", netns, "ip", "link", "set", "lo", "up");
        sh("ip", "netns", "exec", netns, "ip", "route", "add", "default", "via", prefix + ".1");
        return prefix + ".1";
    }

    /** What the outside client reads at {@code host:port} (it retries while the server starts). */
    private String fetchFromOutside(String host, int port) {
        DockerSupport.Result r = DockerSupport.run("ip", "netns", "exec", netns, "curl", "-s", "--max-time", "2",
                "--retry", "10", "--retry-connrefused", "--retry-delay", "1", "http://" + host + ":" + port + "/");
        return r.out().strip();
    }

    @AfterEach
    void removeWhatTheTestMade() {
        DockerSupport.run("ip", "netns", "del", netns);
        DockerSupport.run("ip", "link", "del", "bpo" + suffix);
        for (String owner : List.of(owner1, owner2)) {
            DockerSupport.run("ip", "link", "del", AgentBridges.bridgeName(owner, network));
            for (String table : List.of("filter", "nat")) {
                for (String rule : DockerSupport.run("iptables", "-t", table, "-S").out().lines()
                        .filter(l -> l.contains("fleetform " + owner + " ")).toList()) {
                    List<String> del = new ArrayList<>(List.of("iptables", "-t", table));
                    del.addAll(AgentBridges.words(rule.replaceFirst("^-A ", "-D ")));
                    DockerSupport.run(del.toArray(String[]::new));
                }
            }
        }
        for (List<String> rule : foreignRules) {
            List<String> del = new ArrayList<>(rule);
            del.set(del.indexOf("-A"), "-D");
            DockerSupport.run(del.toArray(String[]::new));
        }
    }

    @Test
    void aPublishedPortReachesTheInstanceFromTheHostAndFromOutsideOverTcpAndUdp() throws Exception {
        int first = Loopback.freePortRange(12000, 400, 4);
        TestAgent a = agent("bport-r", first);
        String prefix = freeSubnetPrefix();
        String key = owner1 + "/zone.r.service.s[0]";
        ContainerInfo c = put(a, key, net(prefix, 2, first), "1");
        assertThat(DockerSupport.inspect(c.id(), "{{.HostConfig.NetworkMode}}").strip()).isEqualTo("none");
        assertThat(DockerSupport.inspect(c.id(), "{{json .HostConfig.PortBindings}}").strip())
                .as("no Docker binding").isIn("{}", "null");

        assertThat(Loopback.httpGet("127.0.0.1", first, 200)).startsWith("hello-");
        assertThat(Loopback.httpGet(hostAddress(), first, 200)).startsWith("hello-");
        Process echo = udpEcho(c.id());
        try {
            assertThat(udpAsk("127.0.0.1", first)).isEqualTo("udp-ping");
            assertThat(udpAsk(hostAddress(), first)).isEqualTo("udp-ping");
        } finally {
            echo.destroyForcibly().waitFor();
        }
        String hostSide = outsideClient();
        assertThat(fetchFromOutside(hostSide, first)).startsWith("hello-");
        assertThat(rulesOf(key)).hasSize(10).allMatch(r -> r.contains("fleetform " + owner1 + " zone.r.service.s[0]"));
        assertThat(a.client().container(key).orElseThrow().published()).containsExactly("game");

        // a restart makes a new namespace: eth0 again, the rules stay as they are (not doubled)
        sh("docker", "restart", "-t", "1", c.id());
        assertThat(Loopback.httpGet("127.0.0.1", first, 300)).startsWith("hello-");
        assertThat(rulesOf(key)).hasSize(10);

        // another host port (a recreate): the old port's rules go, the new one's are made
        NetworkSpec moved = net(prefix, 2, first + 1);
        a.client().claim(key, new AllocationRequest(0, "1", 256 * MIB, moved.ipv4(), 1L << 30, null, List.of(first,
                first + 1))); // both while the container holds the old one
        ContainerResult recreated = a.client().putContainer(key, spec(moved, "1"));
        a.client().claim(key, claim("1", moved.ipv4(), first + 1));
        assertThat(recreated.action()).isEqualTo(ContainerResult.Action.RECREATED);
        assertThat(Loopback.httpGet("127.0.0.1", first + 1, 200)).startsWith("hello-");
        assertThat(rulesOf(key)).hasSize(10).noneMatch(r -> r.contains("--dport " + first + " "))
                .anyMatch(r -> r.contains("--dport " + (first + 1) + " "));

        // removed: every rule of the instance goes, the bridge with the last instance
        a.client().removeContainer(key, false);
        assertThat(rulesOf(key)).isEmpty();
        assertThat(fleetRules(owner1)).isEmpty();
        try (var records = Files.list(a.dataDir.resolve("agent-bridge-ports"))) {
            assertThat(records.toList()).as("no record left").isEmpty();
        }
    }

    /**
     * Two fleets publish at once; a foreign rule whose comment is like the first instance's (and a rule of the same
     * spec without a comment) stays when that instance goes, and so do the other fleet's rules.
     */
    @Test
    void twoFleetsPublishAtOnceAndOnlyTheInstancesOwnRulesGo() throws Exception {
        int first = Loopback.freePortRange(12000, 400, 4);
        TestAgent a = agent("bport-two", first);
        String key1 = owner1 + "/zone.t.service.s[0]";
        String key2 = owner2 + "/zone.u.service.s[0]";
        NetworkSpec n1 = net(freeSubnetPrefix(), 2, first);
        NetworkSpec n2 = net(freeSubnetPrefix(), 2, first + 1);
        put(a, key1, n1, "1");
        put(a, key2, n2, "0");
        List<String> similar = List.of("iptables", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "-m", "tcp",
                "--dport", Integer.toString(first + 3), "-m", "comment", "--comment", BridgePorts.comment(key1) + "x",
                "-j", "DNAT", "--to-destination", n1.ipv4() + ":8080");
        List<String> longer = List.of("iptables", "-t", "nat", "-A", "OUTPUT", "-p", "udp", "-m", "udp", "--dport",
                Integer.toString(first + 3), "-m", "comment", "--comment", BridgePorts.comment(key1) + " of someone",
                "-j", "RETURN");
        for (List<String> rule : List.of(similar, longer)) {
            sh(rule.toArray(String[]::new));
            foreignRules.add(rule);
        }
        assertThat(Loopback.httpGet("127.0.0.1", first, 200)).isNotEqualTo(Loopback.httpGet("127.0.0.1", first + 1,
                200)).startsWith("hello-");
        assertThat(rulesOf(key1)).hasSize(10);
        assertThat(rulesOf(key2)).hasSize(10);
        ContainerResult again = a.client().putContainer(key2, spec(n2, "0"));
        assertThat(again.action()).as("each rule found by its line: nothing made again").isEqualTo(
                ContainerResult.Action.UNCHANGED);
        assertThat(rulesOf(key2)).hasSize(10);

        a.client().removeContainer(key1, false);
        assertThat(rulesOf(key1)).isEmpty();
        String nat = sh("iptables", "-t", "nat", "-S");
        assertThat(nat).contains("\"" + BridgePorts.comment(key1) + "x\"")
                .contains("\"" + BridgePorts.comment(key1) + " of someone\"");
        assertThat(rulesOf(key2)).hasSize(10);
        assertThat(Loopback.httpGet("127.0.0.1", first + 1, 200)).startsWith("hello-");
        a.client().removeContainer(key2, false);
        assertThat(fleetRules(owner1)).as("only the foreign ones are left").hasSize(2)
                .allMatch(r -> r.contains(BridgePorts.comment(key1) + "x\"") || r.contains(" of someone\""));
        assertThat(fleetRules(owner2)).isEmpty();
    }

    /**
     * What a kill leaves: part of the rules made (the record written first), the container removed before its rules
     * (a kill inside the removal), a rule deleted by hand; each is finished, removed or put back, never doubled.
     */
    @Test
    void whatAKillOrAHandLeftIsFinishedOrRemovedAndNothingIsDoubled() throws Exception {
        int first = Loopback.freePortRange(12000, 400, 4);
        TestAgent a = agent("bport-k", first);
        String key = owner1 + "/zone.k.service.s[0]";
        NetworkSpec n = net(freeSubnetPrefix(), 5, first);
        ContainerInfo c = put(a, key, n, "1");

        // killed after four of its ten rules (its record says they are being made): the agent's start finishes them
        List<String> made = rulesOf(key);
        Files.writeString(a.dataDir.resolve("agent-bridge-ports").resolve(io.fleetform.engine.text.Digests
                .sha256Hex(key).substring(0, 32)), key + "\n" + BridgePorts.MAKING + "\n");
        for (String rule : made.subList(4, made.size())) {
            String table = sh("iptables", "-t", "nat", "-S").contains(rule) ? "nat" : "filter";
            List<String> del = new ArrayList<>(List.of("iptables", "-t", table));
            del.addAll(AgentBridges.words(rule.replaceFirst("^-A ", "-D ")));
            sh(del.toArray(String[]::new));
        }
        assertThat(rulesOf(key)).hasSize(4);
        a.restart();
        assertThat(rulesOf(key)).containsExactlyInAnyOrderElementsOf(made);
        assertThat(Loopback.httpGet("127.0.0.1", first, 200)).startsWith("hello-");

        // one deleted by hand: the agent's read says which port lacks its rules; the next put puts it back in place
        String forward = rulesOf(key).stream().filter(r -> r.startsWith("-A " + AgentBridges.CHAIN)).findFirst().orElseThrow();
        List<String> del = new ArrayList<>(List.of("iptables"));
        del.addAll(AgentBridges.words(forward.replaceFirst("^-A ", "-D ")));
        sh(del.toArray(String[]::new));
        a.restart();
        assertThat(rulesOf(key)).as("not a kill's: left for the plan to see").hasSize(9);
        assertThat(a.client().container(key).orElseThrow().published()).isEmpty();
        ContainerResult again = a.client().putContainer(key, spec(n, "1"));
        assertThat(again.action()).isEqualTo(ContainerResult.Action.UPDATED_IN_PLACE);
        assertThat(again.container().id()).isEqualTo(c.id());
        assertThat(again.changes()).anyMatch(ch -> ch.startsWith("published game " + first + "->"));
        assertThat(again.container().published()).containsExactly("game");
        assertThat(rulesOf(key)).containsExactlyInAnyOrderElementsOf(made);

        // two agents publishing at once, without a lock in common: whatever both added, one of each is left
        for (String rule : rulesOf(key)) {
            String table = rule.contains("-j DNAT") || rule.contains("MASQUERADE") ? "nat" : "filter";
            List<String> d = new ArrayList<>(List.of("iptables", "-t", table));
            d.addAll(AgentBridges.words(rule.replaceFirst("^-A ", "-D ")));
            sh(d.toArray(String[]::new));
        }
        BridgePorts one = new AgentBridges(tmp.resolve("one/pending"), AgentBridges.SYSTEM).ports();
        BridgePorts two = new AgentBridges(tmp.resolve("two/pending"), AgentBridges.SYSTEM).ports();
        var x = java.util.concurrent.CompletableFuture.supplyAsync(() -> one.publish(key, n));
        var y = java.util.concurrent.CompletableFuture.supplyAsync(() -> two.publish(key, n));
        x.join();
        y.join();
        one.publish(key, n);
        assertThat(rulesOf(key)).containsExactlyInAnyOrderElementsOf(made);
        assertThat(one.publish(key, n)).as("nothing left to do").isEmpty();

        // its container removed before its rules (a kill inside the removal): the agent's next start removes them
        sh("docker", "rm", "-f", c.id());
        a.restart();
        assertThat(rulesOf(key)).isEmpty();
        assertThat(fleetRules(owner1)).as("the bridge's, until the fleet's network is removed").hasSize(7);
        assertThat(a.client().removeNetwork(network, owner1).outcome()).isEqualTo(NetworkRemoval.REMOVED);
        assertThat(fleetRules(owner1)).isEmpty();
    }

    /**
     * Another agent of the host (another ledger) cannot take a port an agent-bridge instance publishes, and is told
     * whose it is; nor can an agent-bridge instance take a port a bridge network's container publishes.
     */
    @Test
    void anotherAgentCannotClaimAPublishedPortEitherWay() throws Exception {
        int first = Loopback.freePortRange(12000, 400, 4);
        TestAgent a = agent("bport-ca", first);
        TestAgent b = agent("bport-cb", first);
        String key1 = owner1 + "/zone.c.service.s[0]";
        put(a, key1, net(freeSubnetPrefix(), 2, first), "1");

        LedgerView seen = b.client().allocations();
        assertThat(seen.portsInUse().held()).anySatisfy(h -> assertThat(h.ports()).isEqualTo(String.valueOf(first)))
                .anySatisfy(h -> assertThat(h.by()).contains("DNAT rules of its agent bridge")
                        .contains("fleet " + owner1));
        assertThat(seen.free().ports()).doesNotContain(String.valueOf(first));
        AgentException refused = catchThrowableOfType(AgentException.class, () -> b.client().claim(owner2
                + "/zone.c.service.s[0]", new AllocationRequest(null, "", 64 * MIB, null, 0, null, List.of(first))));
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.getMessage()).contains("host ports " + first).contains("DNAT rules of its agent bridge");

        // the other way: b's container on a Docker bridge network publishes first+1; a cannot hand it out
        NetworkSpec docker = bridge(2);
        NetworkSpec published = new NetworkSpec(docker.name(), "bridge", docker.subnet(), null, null, docker.ipv4(),
                List.of(new NetworkSpec.PublishedPort("game", 8080, first + 1)));
        String key2 = owner2 + "/zone.d.service.s[0]";
        b.client().claim(key2, claim("0", published.ipv4(), first + 1));
        b.client().putContainer(key2, spec(published, "0"));
        AgentException refused2 = catchThrowableOfType(AgentException.class, () -> a.client().claim(owner1
                + "/zone.c.service.s[1]", new AllocationRequest(null, "", 64 * MIB, null, 0, null,
                List.of(first + 1))));
        assertThat(refused2.status()).isEqualTo(409);
        assertThat(refused2.getMessage()).contains("host ports " + (first + 1)).contains("published by container");
        b.client().removeContainer(key2, false);
        a.client().removeContainer(key1, false);
        assertThat(fleetRules(owner1)).isEmpty();
    }
}
