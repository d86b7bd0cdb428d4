package io.fleetform.provider.host.agent;

import static io.fleetform.provider.host.agent.DockerSupport.IMAGE_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetform.engine.testing.Loopback;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code agent_bridge} on the real Docker Engine and the kernel's bridge, veth and netns: the agent gives each
 * container (network mode {@code none}) its eth0 on a Linux bridge of the fleet's own, again after a restart, and
 * finishes what a killed run left at any step without doubling anything. Only what carries the fleet's identity is
 * changed: a foreign link of the bridge's name is refused, a foreign interface on the bridge keeps it, and a second
 * fleet's bridge and rules stay when the first goes. Traffic stays on the host: the host (the bridge's gateway)
 * reaches each instance over TCP.
 */
class AgentBridgeDockerTest extends DockerTestBase {
    private static final List<String> SERVER = List.of("sh", "-c", "trap 'exit 0' TERM; mkdir -p /www;"
            + " echo hello-$HOSTNAME > /www/index.html; httpd -f -p 8080 -h /www & wait");
    private final String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
    private final String owner1 = "hb1.t" + suffix;
    private final String owner2 = "hb2.t" + suffix;
    private final List<String> foreignLinks = new ArrayList<>();

    private NetworkSpec net(String prefix, int host) {
        return new NetworkSpec("ff-hb-" + suffix, AgentBridges.DRIVER, prefix + ".0/24", prefix + ".1", null,
                prefix + "." + host);
    }

    private ContainerInfo put(TestAgent a, String key, NetworkSpec n, String core) {
        a.client().claim(key, claim(0, core, 256 * MIB, n.ipv4()));
        return a.client().putContainer(key, ContainerSpec.pinned(IMAGE_1, core, 64 * MIB, n).withCommand(SERVER)
                .withStopTimeoutSeconds(2)).container();
    }

    private static String sh(String... argv) {
        DockerSupport.Result r = DockerSupport.run(argv);
        assertThat(r.exit()).as(String.join(" ", argv) + ": " + r.err()).isZero();
        return r.out();
    }

    private static String pid(String container) {
        return DockerSupport.inspect(container, "{{.State.Pid}}").strip();
    }

    private static String inside(String container, String... argv) {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "-t", pid(container), "-n"));
        cmd.addAll(List.of(argv));
        return sh(cmd.toArray(String[]::new));
    }

    /** What the host reads from the instance's httpd at its own IP (it waits for the server to listen). */
    private static String fetch(String ip) throws Exception {
        return Loopback.httpGet(ip, 8080, 200);
    }

    private static long vethsNamed(String name) {
        return sh("ip", "-o", "link", "show", "type", "veth").lines().filter(l -> l.contains(" " + name + "@"))
                .count();
    }

    private static boolean linkExists(String name) {
        return DockerSupport.run("ip", "link", "show", "dev", name).exit() == 0;
    }

    private static List<String> rulesOf(String owner) {
        return (sh("iptables", "-S") + sh("iptables", "-t", "nat", "-S", "POSTROUTING")).lines()
                .filter(l -> l.contains("fleetform " + owner + " ")).toList();
    }

    @AfterEach
    void removeWhatTheAgentMade() {
        for (String owner : List.of(owner1, owner2)) {
            String bridge = AgentBridges.bridgeName(owner, "ff-hb-" + suffix);
            DockerSupport.run("ip", "link", "del", bridge);
            for (String table : List.of("filter", "nat")) {
                for (String rule : DockerSupport.run("iptables", "-t", table, "-S").out().lines()
                        .filter(l -> l.contains("fleetform " + owner + " ")).toList()) {
                    List<String> del = new ArrayList<>(List.of("iptables", "-t", table));
                    del.addAll(tokens(rule.replaceFirst("^-A ", "-D ")));
                    DockerSupport.run(del.toArray(String[]::new));
                }
            }
        }
        for (String l : foreignLinks) {
            DockerSupport.run("ip", "link", "del", l);
        }
    }

    /** iptables -S's words, its quoted comment as one. */
    private static List<String> tokens(String rule) {
        List<String> out = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(rule);
        while (m.find()) {
            out.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        return out;
    }

    @Test
    void eachInstanceGetsItsEth0OnTheFleetsBridgeAndAgainAfterARestart() throws Exception {
        TestAgent a = agent("host-hb");
        String prefix = freeSubnetPrefix();
        String key1 = owner1 + "/zone.a.service.s[0]";
        String key2 = owner1 + "/zone.a.service.s[1]";
        ContainerInfo c1 = put(a, key1, net(prefix, 2), "1");
        ContainerInfo c2 = put(a, key2, net(prefix, 3), "0");
        String bridge = AgentBridges.bridgeName(owner1, "ff-hb-" + suffix);

        assertThat(DockerSupport.inspect(c1.id(), "{{.HostConfig.NetworkMode}}").strip()).isEqualTo("none");
        assertThat(c1.ipv4()).isEqualTo(prefix + ".2");
        assertThat(sh("ip", "-d", "link", "show", "dev", bridge)).contains("alias fleetform " + owner1 + " ff-hb-"
                + suffix).contains("bridge");
        assertThat(sh("ip", "-4", "addr", "show", "dev", bridge)).contains("inet " + prefix + ".1/24");
        assertThat(inside(c1.id(), "ip", "-4", "addr", "show", "dev", "eth0")).contains("inet " + prefix + ".2/24");
        assertThat(inside(c1.id(), "ip", "route")).contains("default via " + prefix + ".1 dev eth0");
        assertThat(sh("ip", "-o", "link", "show", "master", bridge)).contains(AgentBridges.vethName(key1))
                .contains(AgentBridges.vethName(key2));
        assertThat(rulesOf(owner1)).hasSize(7).allMatch(r -> r.contains(bridge));
        assertThat(List.of(fetch(prefix + ".2"), fetch(prefix + ".3"))).allMatch(s -> s.startsWith("hello-"));

        // the restart policy (or docker restart) makes a new namespace with only lo: the agent's watcher equips it
        String before = pid(c1.id());
        sh("docker", "restart", "-t", "1", c1.id());
        long until = System.currentTimeMillis() + 30_000;
        while (DockerSupport.run("nsenter", "-t", pid(c1.id()), "-n", "ip", "-4", "addr", "show", "dev", "eth0")
                .out().isBlank() && System.currentTimeMillis() < until) {
            Thread.sleep(100);
        }
        assertThat(pid(c1.id())).isNotEqualTo(before);
        assertThat(inside(c1.id(), "ip", "-4", "addr", "show", "dev", "eth0")).contains("inet " + prefix + ".2/24");
        assertThat(fetch(prefix + ".2")).startsWith("hello-");
        assertThat(vethsNamed(AgentBridges.vethName(key1))).isEqualTo(1);

        // removing the instances: the last one takes the bridge and its rules with it
        a.client().removeContainer(key1, false);
        assertThat(linkExists(bridge)).as("the other instance is on it").isTrue();
        assertThat(linkExists(AgentBridges.vethName(key1))).isFalse();
        a.client().removeContainer(key2, false);
        assertThat(linkExists(bridge)).isFalse();
        assertThat(rulesOf(owner1)).isEmpty();
    }

    /**
     * An instance's eth0 as it is, read back for drift: as the spec says, then missing once removed by hand (the
     * watcher sees no start), half there with its address flushed; the next put gives it again in place (same
     * container, same process). The second fleet's instance beside it reads as it is and is not touched.
     */
    @Test
    void theEth0IsReadBackSoItsLossIsDriftAndAPutGivesItAgainInPlace() throws Exception {
        TestAgent a = agent("host-hd");
        String prefix = freeSubnetPrefix();
        String other = freeSubnetPrefix();
        String key = owner1 + "/zone.d.service.s[0]";
        String theirs = owner2 + "/zone.d.service.s[0]";
        NetworkSpec n = net(prefix, 6);
        ContainerInfo c = put(a, key, n, "1");
        ContainerInfo t = put(a, theirs, net(other, 6), "0");
        String wanted = prefix + ".6/24 via " + prefix + ".1";
        assertThat(AgentBridges.wanted(n)).isEqualTo(wanted);
        assertThat(a.client().container(key).orElseThrow().eth0()).isEqualTo(wanted);
        assertThat(a.client().container(theirs).orElseThrow().eth0()).isEqualTo(other + ".6/24 via " + other + ".1");

        inside(c.id(), "ip", "link", "del", "eth0"); // by hand: the pair goes, no start event
        assertThat(a.client().container(key).orElseThrow().eth0()).isEqualTo("missing");
        String pidBefore = pid(c.id());

        ContainerResult again = a.client().putContainer(key, ContainerSpec.pinned(IMAGE_1, "1", 64 * MIB, n)
                .withCommand(SERVER).withStopTimeoutSeconds(2));
        assertThat(again.action()).isEqualTo(ContainerResult.Action.UPDATED_IN_PLACE);
        assertThat(again.container().id()).isEqualTo(c.id());
        assertThat(pid(c.id())).as("not restarted").isEqualTo(pidBefore);
        assertThat(again.changes()).anyMatch(ch -> ch.startsWith("eth0 "));
        assertThat(a.client().container(key).orElseThrow().eth0()).isEqualTo(wanted);
        assertThat(fetch(prefix + ".6")).startsWith("hello-");

        inside(c.id(), "ip", "addr", "flush", "dev", "eth0");
        assertThat(a.client().container(key).orElseThrow().eth0()).isEqualTo("no address via none");
        sh("ip", "link", "set", AgentBridges.vethName(key), "nomaster");
        assertThat(a.client().container(key).orElseThrow().eth0()).contains("host end "
                + AgentBridges.vethName(key) + " not up on " + AgentBridges.bridgeName(owner1, n.name()));
        a.client().putContainer(key, ContainerSpec.pinned(IMAGE_1, "1", 64 * MIB, n).withCommand(SERVER)
                .withStopTimeoutSeconds(2));
        assertThat(a.client().container(key).orElseThrow().eth0()).isEqualTo(wanted);
        assertThat(a.client().container(theirs).orElseThrow()).satisfies(x -> {
            assertThat(x.id()).isEqualTo(t.id());
            assertThat(x.eth0()).isEqualTo(other + ".6/24 via " + other + ".1");
        });
        a.client().removeContainer(key, true);
        a.client().removeContainer(theirs, true);
    }

    /**
     * What a kill leaves at each step, and a second equipper at once: the container stopped after its create (no
     * start), started without a veth, the veth made without the address, a bridge made without its alias.
     */
    @Test
    void whatAKilledRunLeftIsFinishedAndNothingIsDoubled() throws Exception {
        TestAgent a = agent("host-hk");
        String prefix = freeSubnetPrefix();
        String key = owner1 + "/zone.k.service.s[0]";
        NetworkSpec n = net(prefix, 5);
        ContainerInfo c = put(a, key, n, "1");
        String veth = AgentBridges.vethName(key);

        // started, but the agent died before the veth: the pair gone (its host end deleted), eth0 with it
        sh("ip", "link", "del", veth);
        assertThat(DockerSupport.run("nsenter", "-t", pid(c.id()), "-n", "ip", "link", "show", "eth0").exit())
                .isNotZero();
        a.restart(); // the agent starting again finishes it
        assertThat(inside(c.id(), "ip", "-4", "addr", "show", "dev", "eth0")).contains("inet " + prefix + ".5/24");
        assertThat(vethsNamed(veth)).isEqualTo(1);

        // the veth made, the address and route not yet set: the next put sets them, in place
        inside(c.id(), "ip", "addr", "flush", "dev", "eth0");
        ContainerResult again = a.client().putContainer(key, ContainerSpec.pinned(IMAGE_1, "1", 64 * MIB, n)
                .withCommand(SERVER).withStopTimeoutSeconds(2));
        assertThat(again.action()).isEqualTo(ContainerResult.Action.UPDATED_IN_PLACE);
        assertThat(again.container().id()).isEqualTo(c.id());
        assertThat(inside(c.id(), "ip", "-4", "addr", "show", "dev", "eth0")).containsOnlyOnce("inet ")
                .contains("inet " + prefix + ".5/24");
        assertThat(inside(c.id(), "ip", "route")).contains("default via " + prefix + ".1 dev eth0");
        assertThat(fetch(prefix + ".5")).startsWith("hello-");

        // created, never started (a kill between the two): the next put starts and equips it
        sh("docker", "stop", "-t", "1", c.id());
        ContainerResult started = a.client().putContainer(key, ContainerSpec.pinned(IMAGE_1, "1", 64 * MIB, n)
                .withCommand(SERVER).withStopTimeoutSeconds(2));
        assertThat(started.changes()).anyMatch(ch -> ch.startsWith("started"));
        assertThat(inside(c.id(), "ip", "-4", "addr", "show", "dev", "eth0")).contains("inet " + prefix + ".5/24");
        assertThat(vethsNamed(veth)).isEqualTo(1);

        // two equippers at once, without a lock in common (two agents' watchers): one veth, one address
        sh("ip", "link", "del", veth);
        long p = Long.parseLong(pid(c.id()));
        AgentBridges one = new AgentBridges(tmp.resolve("one"), AgentBridges.SYSTEM);
        AgentBridges two = new AgentBridges(tmp.resolve("two"), AgentBridges.SYSTEM);
        CompletableFuture<List<String>> x = CompletableFuture.supplyAsync(() -> one.equip(key, n, p,
                AgentBridges.Look.CHECK));
        CompletableFuture<List<String>> y = CompletableFuture.supplyAsync(() -> two.equip(key, n, p,
                AgentBridges.Look.CHECK));
        x.join();
        y.join();
        assertThat(vethsNamed(veth)).isEqualTo(1);
        assertThat(inside(c.id(), "ip", "-4", "addr", "show", "dev", "eth0")).containsOnlyOnce("inet ");
        assertThat(one.equip(key, n, p, AgentBridges.Look.CHECK)).as("nothing left to do").isEmpty();
        assertThat(rulesOf(owner1)).as("rules not doubled").hasSize(7);

        // a bridge whose making was recorded, killed before its alias: no instance uses it, so it goes
        a.client().removeContainer(key, false);
        String other = "ff-hb-" + suffix;
        String bridge2 = AgentBridges.bridgeName(owner2, other);
        Files.createDirectories(a.dataDir.resolve("agent-bridges-pending"));
        Files.writeString(a.dataDir.resolve("agent-bridges-pending").resolve(bridge2),
                AgentBridges.bridgeAlias(owner2, other));
        sh("ip", "link", "add", bridge2, "type", "bridge");
        a.restart();
        assertThat(linkExists(bridge2)).isFalse();
    }

    @Test
    void onlyTheFleetsOwnBridgeAndRulesAreTouched() throws Exception {
        TestAgent a = agent("host-ho");
        String prefix1 = freeSubnetPrefix();
        String prefix2 = freeSubnetPrefix();
        String network = "ff-hb-" + suffix;
        String bridge1 = AgentBridges.bridgeName(owner1, network);
        String key1 = owner1 + "/zone.o.service.s[0]";
        String key2 = owner2 + "/zone.o.service.s[0]";

        // a link of the bridge's name that is not the fleet's bridge: refused, left alone
        sh("ip", "link", "add", bridge1, "type", "bridge");
        foreignLinks.add(bridge1);
        a.client().claim(key1, claim(0, "1", 256 * MIB, prefix1 + ".2"));
        assertThatThrownBy(() -> a.client().putContainer(key1, ContainerSpec.pinned(IMAGE_1, "1", 64 * MIB,
                net(prefix1, 2)).withCommand(SERVER))).hasMessageContaining("link " + bridge1 + " exists and is not"
                + " fleet " + owner1 + "'s agent bridge").hasMessageContaining("left alone");
        assertThat(linkExists(bridge1)).isTrue();
        assertThat(DockerSupport.containersWithLabel(ContainerManager.LABEL_INSTANCE + "=" + key1)).isEmpty();
        sh("ip", "link", "del", bridge1);

        // two fleets on one host, and someone else's interface on the first fleet's bridge
        put(a, key1, net(prefix1, 2), "1");
        put(a, key2, net(prefix2, 2), "0");
        String bridge2 = AgentBridges.bridgeName(owner2, network);
        String foreign = "ffx" + suffix;
        sh("ip", "link", "add", foreign, "type", "veth", "peer", "name", "ffy" + suffix);
        foreignLinks.add(foreign);
        sh("ip", "link", "set", foreign, "master", bridge1);
        sh("iptables", "-A", "FORWARD", "-i", bridge1, "-j", "ACCEPT"); // a rule like the fleet's, without its comment
        try {
            RemoveResult removed = a.client().removeContainer(key1, false).orElseThrow();
            assertThat(removed.network().kept()).isTrue();
            assertThat(removed.network().message()).contains("interface " + foreign).contains("not this fleet's");
            assertThat(linkExists(bridge1)).isTrue();
            assertThat(sh("ip", "-o", "link", "show", "master", bridge1)).contains(foreign);
            // once the foreign interface is detached, the fleet's bridge goes on the next try, the other's stays
            sh("ip", "link", "set", foreign, "nomaster");
            assertThat(a.client().removeNetwork(network, owner1).outcome()).isEqualTo(NetworkRemoval.REMOVED);
            assertThat(linkExists(bridge1)).isFalse();
            assertThat(rulesOf(owner1)).isEmpty();
            assertThat(sh("iptables", "-S")).contains("-A FORWARD -i " + bridge1 + " -j ACCEPT");
            assertThat(linkExists(foreign)).isTrue();
            assertThat(linkExists(bridge2)).isTrue();
            assertThat(rulesOf(owner2)).hasSize(7);
            assertThat(fetch(prefix2 + ".2")).startsWith("hello-");
        } finally {
            DockerSupport.run("iptables", "-D", "FORWARD", "-i", bridge1, "-j", "ACCEPT");
        }
        a.client().removeContainer(key2, false);
        assertThat(linkExists(bridge2)).isFalse();
        assertThat(rulesOf(owner2)).isEmpty();
    }
}
