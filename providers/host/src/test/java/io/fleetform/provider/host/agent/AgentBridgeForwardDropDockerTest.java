package io.fleetform.provider.host.agent;

import static io.fleetform.provider.host.agent.DockerSupport.IMAGE_1;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.testing.Loopback;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A host whose FORWARD chain drops explicitly (a firewall's closing {@code -j DROP}, here matching only this test's
 * subnet so that other tests of the host are not touched) before the agent makes its bridge: the agent's chain,
 * jumped to from the top of FORWARD, still lets two containers on the bridge reach each other, a container reach
 * out, and a client outside reach a published port; removing the last instance leaves the host's rules exactly as
 * they were ({@code iptables-save} before and after, without counters).
 */
class AgentBridgeForwardDropDockerTest extends DockerTestBase {
    private static final List<String> SERVER = List.of("sh", "-c", "trap 'exit 0' TERM; mkdir -p /www;"
            + " echo hello-$HOSTNAME > /www/index.html; httpd -f -p 8080 -h /www & wait");
    private final String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
    private final String owner = "bdrop.t" + suffix;
    private final String network = "bdrop-" + suffix;
    private final String netns = "bdrop" + suffix;
    private final List<List<String>> hostRules = new ArrayList<>();

    private static String sh(String... argv) {
        DockerSupport.Result r = DockerSupport.run(argv);
        assertThat(r.exit()).as(String.join(" ", argv) + ": " + r.err()).isZero();
        return r.out();
    }

    /** The host's own rule, appended to FORWARD, deleted after the test. */
    private void hostRule(String... spec) {
        List<String> add = new ArrayList<>(List.of("iptables", "-A", "FORWARD"));
        add.addAll(List.of(spec));
        sh(add.toArray(String[]::new));
        hostRules.add(add);
    }

    /** iptables-save of both tables without counters and comments lines. */
    private static Set<String> saved() {
        Set<String> out = new LinkedHashSet<>();
        for (String table : List.of("nat", "filter")) {
            sh("iptables-save", "-t", table).lines().filter(l -> !l.startsWith("#"))
                    .map(l -> l.replaceAll(" \\[\\d+:\\d+\\]$", "")).forEach(l -> out.add(table + " " + l));
        }
        return out;
    }

    /** A line of something else running on the host meanwhile (Docker's, another test's fleet): not compared. */
    private boolean othersLine(String line) {
        return line.contains("DOCKER") || line.contains("docker") || line.contains(" br-")
                || (line.matches("nat -A POSTROUTING -s ([0-9.]+)/32 -d \\1/32 .* -j MASQUERADE") // Docker's hairpin
                    && !line.contains("fleetform"))
                || (line.contains("fleetform ") && !line.contains(owner) && !line.contains(AgentBridges.JUMP_COMMENT));
    }

    @AfterEach
    void removeWhatTheTestMade() {
        DockerSupport.run("ip", "netns", "del", netns);
        DockerSupport.run("ip", "link", "del", "bdo" + suffix);
        DockerSupport.run("ip", "link", "del", AgentBridges.bridgeName(owner, network));
        for (String table : List.of("filter", "nat")) {
            for (String rule : DockerSupport.run("iptables", "-t", table, "-S").out().lines()
                    .filter(l -> l.contains("fleetform " + owner + " ") || l.contains("fleetform bdrop2.t" + suffix + " "))
                    .toList()) {
                List<String> del = new ArrayList<>(List.of("iptables", "-t", table));
                del.addAll(AgentBridges.words(rule.replaceFirst("^-A ", "-D ")));
                DockerSupport.run(del.toArray(String[]::new));
            }
        }
        // a failed test's: the chain and its jump when nothing is left in the chain
        if (DockerSupport.run("iptables", "-S", AgentBridges.CHAIN).out().lines().count() == 1) {
            List<String> jump = new ArrayList<>(List.of("iptables"));
            jump.addAll(AgentBridges.words(AgentBridges.JUMP.replaceFirst("^-A ", "-D ")));
            DockerSupport.run(jump.toArray(String[]::new));
            DockerSupport.run("iptables", "-X", AgentBridges.CHAIN);
        }
        for (List<String> rule : hostRules) {
            List<String> del = new ArrayList<>(rule);
            del.set(del.indexOf("-A"), "-D");
            DockerSupport.run(del.toArray(String[]::new));
        }
    }

    @Test
    void anExplicitDropInForwardDoesNotStopTheBridgeAndItsRemovalLeavesTheHostsRulesAsTheyWere() throws Exception {
        String prefix = freeSubnetPrefix();
        String subnet = prefix + ".0/24";
        // a client outside: a namespace on a veth pair, the host's end .1
        String out = freeSubnetPrefix();
        sh("ip", "netns", "add", netns);
        sh("ip", "link", "add", "bdo" + suffix, "type", "veth", "peer", "name", "bdi" + suffix, "netns", netns);
        sh("ip", "addr", "add", out + ".1/24", "dev", "bdo" + suffix);
        sh("ip", "link", "set", "bdo" + suffix, "up");
        sh("ip", "netns", "exec", netns, "ip", "addr", "add", out + ".2/24", "dev", "bdi" + suffix);
        sh("ip", "netns", "exec", netns, "ip", "link", "set", "bdi" + suffix, "up");
        sh("ip", "netns", "exec", netns, "ip", "link", "set", "lo", "up");
        sh("ip", "netns", "exec", netns, "ip", "route", "add", "default", "via", out + ".1");
        // the host's firewall: whatever is forwarded to or from the subnet (the bridge's) is dropped, explicitly
        hostRule("-s", subnet, "-j", "DROP");
        hostRule("-d", subnet, "-j", "DROP");
        Set<String> before = saved();

        int first = Loopback.freePortRange(12000, 400, 4);
        TestAgent a = agent("bdrop");
        Files.writeString(a.dataDir.resolve(AgentService.PORT_RANGE_FILE), first + "-" + (first + 3) + "\n");
        String key1 = owner + "/zone.d.service.s[0]";
        String key2 = owner + "/zone.d.service.s[1]";
        ContainerInfo c1 = put(a, key1, net(prefix, 2, first), "1");
        put(a, key2, net(prefix, 3, first + 1), "0");

        List<String> forward = sh("iptables", "-S", "FORWARD").lines().filter(l -> l.startsWith("-A ")).toList();
        assertThat(forward.subList(0, forward.indexOf(AgentBridges.JUMP)))
                .as("the agent's jump comes first (Docker's own jumps, which it puts back first, aside)")
                .allMatch(AgentBridges::dockers);
        // container to container on the bridge (bridged traffic is filtered: br_netfilter, as Docker loads it)
        String pid1 = DockerSupport.inspect(c1.id(), "{{.State.Pid}}").strip();
        assertThat(sh("nsenter", "-t", pid1, "-n", "curl", "-s", "--max-time", "2", "--retry", "10",
                "--retry-connrefused", "--retry-delay", "1", "http://" + prefix + ".3:8080/")).startsWith("hello-");
        // a container out of its bridge, to the outside client
        sh("docker", "exec", c1.id(), "ping", "-c", "1", "-W", "3", out + ".2");
        // the outside client to both published ports
        for (int port : List.of(first, first + 1)) {
            DockerSupport.Result r = DockerSupport.run("ip", "netns", "exec", netns, "curl", "-s", "--max-time", "2",
                    "--retry", "10", "--retry-connrefused", "--retry-delay", "1", "http://" + out + ".1:" + port + "/");
            assertThat(r.out()).as("published port " + port).startsWith("hello-");
        }

        // a restart of the agent: nothing doubled, the jump still once and first
        a.restart();
        a.client().putContainer(key1, spec(net(prefix, 2, first), "1"));
        assertThat(sh("iptables", "-S", "FORWARD").lines().filter(AgentBridges.JUMP::equals)).hasSize(1);

        a.client().removeContainer(key1, false);
        a.client().removeContainer(key2, false);
        Set<String> after = saved();
        List<String> gone = before.stream().filter(l -> !after.contains(l) && !othersLine(l)).toList();
        List<String> added = after.stream().filter(l -> !before.contains(l) && !othersLine(l)).toList();
        // the chain and its jump are every agent bridge's of the host (there before when another test's bridge was):
        // they stay exactly while a rule is in the chain
        gone = gone.stream().filter(l -> !l.contains(AgentBridges.CHAIN)).toList();
        added = added.stream().filter(l -> !l.contains(AgentBridges.CHAIN)).toList();
        boolean used = after.stream().anyMatch(l -> l.startsWith("filter -A " + AgentBridges.CHAIN + " "));
        assertThat(after.contains("filter :" + AgentBridges.CHAIN + " -")).as("the chain").isEqualTo(used);
        assertThat(after.contains("filter " + AgentBridges.JUMP)).as("its jump").isEqualTo(used);
        assertThat(gone).as("host rules removed").isEmpty();
        assertThat(added).as("rules left").isEmpty();
        assertThat(after).noneMatch(l -> l.contains(owner) || l.contains(AgentBridges.bridgeName(owner, network)));
    }

    /**
     * Two agents making bridges at one moment, ten times over: in the odd rounds neither finds the chain (one makes it,
     * the other's restore fails on it and is tried again); in the even ones both find the chain without its jump (as
     * another bridge's rules can leave it), where two listings side by side once meant two jumps. The host's
     * {@link TablesLock} makes each listing and its restore one step, and no rule of either is lost or doubled.
     */
    @Test
    void twoAgentsMakingTheFirstBridgesAtOnceLoseNothing() {
        String owner2 = "bdrop2.t" + suffix;
        for (int round = 0; round < 10; round++) {
            AgentBridges one = new AgentBridges(tmp.resolve("one" + round + "/pending"), AgentBridges.SYSTEM);
            AgentBridges two = new AgentBridges(tmp.resolve("two" + round + "/pending"), AgentBridges.SYSTEM);
            String p1 = freeSubnetPrefix();
            String p2 = freeSubnetPrefix();
            NetworkSpec a1 = new NetworkSpec(network, AgentBridges.DRIVER, p1 + ".0/24", p1 + ".1", null, p1 + ".2");
            NetworkSpec a2 = new NetworkSpec(network, AgentBridges.DRIVER, p2 + ".0/24", p2 + ".1", null, p2 + ".2");
            if (round % 2 == 0 && !sh("iptables", "-S").contains("-N " + AgentBridges.CHAIN + "\n")) {
                sh("iptables", "-N", AgentBridges.CHAIN); // no one's yet: an empty chain with no jump
            }
            var x = java.util.concurrent.CompletableFuture.runAsync(() -> one.ensure(a1, owner));
            var y = java.util.concurrent.CompletableFuture.runAsync(() -> two.ensure(a2, owner2));
            x.join();
            y.join();
            String filter = sh("iptables", "-S");
            for (String o : List.of(owner, owner2)) {
                assertThat(filter.lines().filter(l -> l.startsWith("-A " + AgentBridges.CHAIN + " ")
                        && l.contains("\"fleetform " + o + " "))).as(o).hasSize(6);
            }
            assertThat(filter.lines().filter(AgentBridges.JUMP::equals)).hasSize(1);
            assertThat(one.remove(network, owner, false).outcome()).isEqualTo(NetworkRemoval.REMOVED);
            assertThat(two.remove(network, owner2, false).outcome()).isEqualTo(NetworkRemoval.REMOVED);
            assertThat(sh("iptables", "-S") + sh("iptables", "-t", "nat", "-S"))
                    .doesNotContain("fleetform " + owner + " ").doesNotContain("fleetform " + owner2 + " ");
        }
    }

    private NetworkSpec net(String prefix, int host, int hostPort) {
        return new NetworkSpec(network, AgentBridges.DRIVER, prefix + ".0/24", prefix + ".1", null, prefix + "." + host,
                List.of(new NetworkSpec.PublishedPort("game", 8080, hostPort)));
    }

    private static ContainerSpec spec(NetworkSpec n, String core) {
        return ContainerSpec.pinned(IMAGE_1, core, 64 * MIB, n).withCommand(SERVER).withStopTimeoutSeconds(2);
    }

    private ContainerInfo put(TestAgent a, String key, NetworkSpec n, String core) {
        a.client().claim(key, new AllocationRequest(0, core, 256 * MIB, n.ipv4(), 1L << 30, null,
                List.of(n.ports().get(0).hostPort())));
        return a.client().putContainer(key, spec(n, core)).container();
    }
}
