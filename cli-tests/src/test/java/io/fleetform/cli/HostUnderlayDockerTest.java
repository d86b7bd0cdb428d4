package io.fleetform.cli;

import static io.fleetform.cli.DockerFleet.docker;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.provider.host.agent.AgentOptions;
import io.fleetform.provider.host.agent.AgentServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code network = underlay} through the CLI on the real Docker Engine: the test makes an L2 of its own, a
 * veth pair whose host end is the pool's {@code underlay_interface} and whose other end is in a network
 * namespace of the test's (standing for the IDC's network, with the pool's gateway address). Each instance
 * gets its IP of the IDC's {@code ip_pool} on a macvlan over that interface, and the namespace reaches it
 * there over TCP. Traffic never leaves the veth pair; the test removes the pair, the namespace, and its
 * fleet's containers and networks.
 */
class HostUnderlayDockerTest {
    @TempDir
    Path dir;
    private DockerFleet fleet;
    private String parent;
    private String namespace;

    @BeforeAll
    static void images() throws Exception {
        QuickstartDockerTest.images();
    }

    @BeforeEach
    void ownL2() throws Exception {
        fleet = DockerFleet.in(dir, "ul");
        String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xfffffL);
        parent = "ffu" + suffix + "p";
        namespace = "ffu-" + suffix;
        sh("ip", "netns", "add", namespace);
        sh("ip", "link", "add", parent, "type", "veth", "peer", "name", "ffu" + suffix + "q");
        sh("ip", "link", "set", "ffu" + suffix + "q", "netns", namespace);
        sh("ip", "link", "set", parent, "up");
        sh("ip", "netns", "exec", namespace, "ip", "link", "set", "ffu" + suffix + "q", "up");
        sh("ip", "netns", "exec", namespace, "ip", "addr", "add", fleet.prefix + ".1/24", "dev", "ffu" + suffix + "q");
    }

    @AfterEach
    void cleanUp() throws Exception {
        CliRunner.run(Map.of(), "rollout", "resume", dir.toString()); // a failed stage leaves the rollout stopped
        CliRunner.run(Map.of(), "destroy", dir.toString(), "--auto-approve");
        fleet.removeAll();
        run("ip", "link", "del", parent); // its peer goes with it
        run("ip", "netns", "del", namespace);
    }

    private String fleetText(String network) throws Exception {
        return fleet.quickstart()
                .replace("local = true ", "local = true\n  underlay_interface = \"" + parent + "\"\n ")
                .replace("memory  = 64Mi", "memory  = 64Mi\n    network = " + network)
                .replaceAll("command = \\[.*\\]", Matcher.quoteReplacement("command = [\"sh\", \"-c\", \"mkdir -p /www;"
                        + " echo zone-$FLEETFORM_ZONE > /www/index.html; " + HostNetworkingDockerTest.STOPPABLE
                        + "httpd -f -p $FLEETFORM_PORT_GAME -h /www & wait\"]"))
                .replace("ports   = { game = 7000 + z.index }", "ports   = { game = 8080 }");
    }

    private CliRunner.Result ok(String... args) {
        CliRunner.Result r = CliRunner.run(Map.of(), args);
        assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r.out() + r.err()).isEqualTo(ExitCode.OK);
        return r;
    }

    /**
     * An IDC switched from bridge to underlay with its instances on the fleet's Docker bridge: the agent makes sure of
     * the network before it replaces a container and changes none in use, so apply would fail at the first; the plan
     * refuses it instead, naming the network as it is and as it would have to be, and nothing changes. After a
     * destroy the underlay applies.
     */
    @Test
    void aSwitchFromBridgeToUnderlayUnderRunningInstancesIsRefusedByThePlan() throws Exception {
        fleet.write(fleetText("bridge"));
        ok("apply", dir.toString(), "--auto-approve");
        String network = fleet.network("local");
        String c1 = fleet.inspect("zone.toy1.service.game[0]").at("/Id").asText();

        fleet.write(fleetText("underlay"));
        CliRunner.Result plan = CliRunner.run(Map.of(), "plan", dir.toString());
        assertThat(plan.exitCode()).as(plan.out() + plan.err()).isEqualTo(ExitCode.ERROR);
        assertThat(plan.err()).contains("network = underlay on host local needs the fleet's Docker network " + network
                + " as a macvlan on " + parent + " of " + fleet.prefix + ".0/24, and it is a bridge of " + fleet.prefix
                + ".0/24 with 2 containers on it").contains("or destroy them").doesNotContain("Exception");
        assertThat(fleet.inspect("zone.toy1.service.game[0]").at("/Id").asText()).as("nothing changed").isEqualTo(c1);

        ok("destroy", dir.toString(), "--auto-approve");
        ok("apply", dir.toString(), "--auto-approve");
        assertThat(docker("network", "inspect", "--format", "{{.Driver}}", fleet.network("local")).strip())
                .isEqualTo("macvlan");
    }

    @Test
    void eachInstanceHasItsIpOnTheHostsL2AndIsReachedThereFromAnotherNamespace() throws Exception {
        fleet.write(fleetText("underlay"));
        CliRunner.Result plan = ok("plan", dir.toString());
        String ip1 = fleet.prefix + ".2";
        String ip2 = fleet.prefix + ".3";
        assertThat(plan.out()).contains("\"underlay\"").contains(parent).contains("\"" + fleet.prefix + ".1\"")
                .contains(ip1 + ":8080").contains(ip2 + ":8080");

        ok("apply", dir.toString(), "--auto-approve");
        assertThat(docker("network", "inspect", "--format", "{{.Driver}} {{index .Options \"parent\"}} "
                + "{{index .Labels \"io.fleetform.fleet\"}}", fleet.network("local")).strip())
                .startsWith("macvlan " + parent + " " + fleet.name + ".");
        String c1 = fleet.inspect("zone.toy1.service.game[0]").at("/Id").asText();
        assertThat(docker("exec", c1, "ip", "-4", "addr", "show", "eth0")).contains("inet " + ip1 + "/24");
        assertThat(docker("exec", c1, "ip", "route")).contains("default via " + fleet.prefix + ".1 dev eth0");
        // the other end of the L2: a namespace of its own reaches each instance at its IP, on its own port
        assertThat(List.of(fetch(ip1), fetch(ip2))).containsExactlyInAnyOrder("zone-toy1", "zone-toy2");
        assertThat(CliRunner.run(Map.of(), "plan", dir.toString(), "--detailed-exitcode").exitCode())
                .isEqualTo(ExitCode.OK);

        // someone else's container on the fleet's network: destroy leaves it and the network it needs, and says
        // so by failing (the network is the fleet's and stays in its state until it can go)
        String foreign = docker("run", "-d", "--network", fleet.network("local"), "--ip", fleet.prefix + ".200",
                "fleetform/busybox:1", "sleep", "600").strip();
        try {
            CliRunner.Result blocked = CliRunner.run(Map.of(), "destroy", dir.toString(), "--auto-approve");
            assertThat(blocked.exitCode()).as(blocked.out() + blocked.err()).isNotEqualTo(ExitCode.OK);
            assertThat(blocked.out() + blocked.err()).contains("Docker network " + fleet.network("local") + " is kept")
                    .contains("not this fleet's (left alone, not disconnected)").doesNotContain("Exception");
            assertThat(fleet.networks()).containsExactly(fleet.network("local"));
            assertThat(docker("inspect", "-f", "{{.State.Running}}", foreign).strip()).isEqualTo("true");
        } finally {
            docker("rm", "-f", foreign);
        }
        ok("apply", dir.toString(), "--auto-approve"); // the network is there already: joined, not made twice
        assertThat(List.of(fetch(ip1), fetch(ip2))).containsExactlyInAnyOrder("zone-toy1", "zone-toy2");
        ok("destroy", dir.toString(), "--auto-approve");
        assertThat(fleet.networks()).isEmpty();
        assertThat(Files.readString(dir.resolve(".fleetform/local-agent/data/ledger.json")))
                .doesNotContain(ip1).doesNotContain(ip2);
    }

    /**
     * The IDC's {@code routes}: checked where they are written, shown in the plan, set inside each instance's
     * namespace beside the default route, and set again when the container starts again (a new namespace).
     */
    @Test
    void theIdcsRoutesAreSetInsideEachInstanceAndAfterARestart() throws Exception {
        String pool = "ip_pool = \"" + fleet.prefix + ".0/24\"";
        fleet.write(fleetText("underlay").replace(pool, pool + "\n  routes = [\"198.51.100.0/24 via 10.9.9.9\"]"));
        CliRunner.Result refused = CliRunner.run(Map.of(), "validate", dir.toString());
        assertThat(refused.exitCode()).as(refused.out() + refused.err()).isNotEqualTo(ExitCode.OK);
        assertThat(refused.out() + refused.err()).contains("quickstart.fleet:27:12").contains("^")
                .contains("the router 10.9.9.9 of route \"198.51.100.0/24 via 10.9.9.9\" is not in the idc's ip_pool")
                .doesNotContain("Exception");

        // an agent that keeps running (a host's daemon), so it sees the container start again
        String token = "routes-test-token-0123456789abcdef";
        Path agentDir = Files.createDirectories(dir.resolve("agent"));
        Files.writeString(agentDir.resolve("token"), token);
        AgentServer agent = AgentServer.start(AgentOptions.of(new InetSocketAddress("127.0.0.1", 0),
                agentDir.resolve("token"), agentDir.resolve("data")));
        Map<String, String> env = Map.of("FLEETFORM_SECRET_AGENT", token);
        String router = fleet.prefix + ".254";
        fleet.write(fleetText("underlay").replace(pool, pool + "\n  routes = [\"198.51.100.0/24 via " + router
                + "\", \"203.0.113.0/24 via " + fleet.prefix + ".1\"]").replace("local = true",
                "agents = [\"127.0.0.1:" + agent.port() + "\"]\n  token = secret(\"agent\")"));
        try {
            routesSetAndSetAgain(env, router);
        } finally {
            CliRunner.run(env, "destroy", dir.toString(), "--auto-approve");
            agent.close();
        }
    }

    private void routesSetAndSetAgain(Map<String, String> env, String router) throws Exception {
        CliRunner.Result plan = CliRunner.run(env, "plan", dir.toString());
        assertThat(plan.out()).as(plan.out() + plan.err()).contains("198.51.100.0/24 via " + router);
        CliRunner.Result applied = CliRunner.run(env, "apply", dir.toString(), "--auto-approve");
        assertThat(applied.exitCode()).as(applied.out() + applied.err()).isEqualTo(ExitCode.OK);
        String c1 = fleet.inspect("zone.toy1.service.game[0]").at("/Id").asText();
        assertThat(docker("exec", c1, "ip", "route")).contains("default via " + fleet.prefix + ".1 dev eth0")
                .contains("198.51.100.0/24 via " + router + " dev eth0")
                .contains("203.0.113.0/24 via " + fleet.prefix + ".1 dev eth0");
        assertThat(List.of(fetch(fleet.prefix + ".2"), fetch(fleet.prefix + ".3")))
                .containsExactlyInAnyOrder("zone-toy1", "zone-toy2");

        docker("restart", "-t", "1", c1);
        long until = System.currentTimeMillis() + 60_000;
        String routes = docker("exec", c1, "ip", "route");
        while (!routes.contains("198.51.100.0/24 via " + router) && System.currentTimeMillis() < until) {
            Thread.sleep(200);
            routes = docker("exec", c1, "ip", "route");
        }
        assertThat(routes).as("set again in the restarted container's new namespace")
                .contains("198.51.100.0/24 via " + router + " dev eth0");
        assertThat(CliRunner.run(env, "plan", dir.toString(), "--detailed-exitcode").exitCode())
                .isEqualTo(ExitCode.OK);

        // A route removed by hand (the container has no NET_ADMIN: from the host) is drift, put back in place.
        // (after the restart above the agent may still be looking at the new namespace's routes, and sets one
        // it finds missing: delete until it stays gone)
        String pid = docker("inspect", "--format", "{{.State.Pid}}", c1).strip();
        long settle = System.currentTimeMillis() + 20_000;
        do {
            sh("nsenter", "-t", pid, "-n", "ip", "route", "del", "198.51.100.0/24");
            Thread.sleep(1500);
        } while (docker("exec", c1, "ip", "route").contains("198.51.100.0/24") && System.currentTimeMillis() < settle);
        assertThat(docker("exec", c1, "ip", "route")).doesNotContain("198.51.100.0/24");
        CliRunner.Result drifted = CliRunner.run(env, "plan", dir.toString(), "--detailed-exitcode");
        assertThat(drifted.exitCode()).as(drifted.out() + drifted.err()).isEqualTo(ExitCode.CHANGES);
        assertThat(drifted.out()).contains("routes_in_container").doesNotContain("will be recreated");
        CliRunner.Result repaired = CliRunner.run(env, "apply", dir.toString(), "--auto-approve");
        assertThat(repaired.exitCode()).as(repaired.out() + repaired.err()).isEqualTo(ExitCode.OK);
        assertThat(fleet.inspect("zone.toy1.service.game[0]").at("/Id").asText()).as("in place").isEqualTo(c1);
        assertThat(docker("exec", c1, "ip", "route")).contains("198.51.100.0/24 via " + router + " dev eth0");
        assertThat(CliRunner.run(env, "plan", dir.toString(), "--detailed-exitcode").exitCode())
                .isEqualTo(ExitCode.OK);
    }

    /**
     * The agent cannot reach a macvlan child from its parent: it probes from the container's own namespace, so a
     * healthy underlay release passes its gates, and one answering 404 fails the canary with what the probe saw.
     */
    @Test
    void anUnderlayReleaseIsGatedOnItsHealthProbe() throws Exception {
        String healthy = fleetText("underlay").replace("    ports   = { game = 8080 }", """
                    ports   = { game = 8080 }
                    health {
                      http            = "/index.html"
                      interval        = 500ms
                      timeout         = 450ms
                      healthy_after   = 2
                      unhealthy_after = 3
                    }
                """.stripTrailing()) + """

                rollout "default" {
                  stage "canary" { zones = [zone.toy1]  healthy_for = 1s }
                  stage "rest"   { healthy_for = 1s }
                }
                """;
        assertThat(healthy).contains("health {");
        fleet.write(healthy);
        CliRunner.Result created = ok("apply", dir.toString(), "--auto-approve");
        assertThat(created.out()).contains("stage canary health: healthy for").contains("== stage rest: changes made")
                .contains("Apply complete!");

        fleet.write(healthy.replace("echo zone-$FLEETFORM_ZONE > /www/index.html; ", ""));
        CliRunner.Result broken = CliRunner.run(Map.of(), "apply", dir.toString(), "--auto-approve");
        assertThat(broken.exitCode()).as(broken.out() + broken.err()).isEqualTo(ExitCode.ERROR);
        assertThat(broken.out()).containsPattern("probe http /index.html on 8080 failed [3-9] time\\(s\\) in a row")
                .contains("GET /index.html on 8080 answered 404").doesNotContain("== stage rest");
    }

    @Test
    void anInterfaceTheHostDoesNotHaveIsAPlanError() throws Exception {
        fleet.write(fleetText("underlay").replace("underlay_interface = \"" + parent + "\"",
                "underlay_interface = \"ffu-absent\""));
        CliRunner.Result r = CliRunner.run(Map.of(), "plan", dir.toString());
        assertThat(r.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(r.err()).contains("which has no interface ffu-absent (underlay_interface)")
                .containsPattern("quickstart\\.fleet:\\d+:\\d+").doesNotContain("Exception");
        assertThat(fleet.networks()).isEmpty();
    }

    /** {@code GET /} of an instance from the test's namespace, retried while the server starts. */
    private String fetch(String ip) throws Exception {
        String last = "";
        for (int i = 0; i < 100; i++) {
            // busybox nc over TCP (its wget crashes on this machine's Debian build)
            Process p = new ProcessBuilder("ip", "netns", "exec", namespace, "busybox", "nc", "-w", "2", ip, "8080")
                    .redirectErrorStream(true).start();
            p.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            p.getOutputStream().flush();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor(10, TimeUnit.SECONDS) && out.startsWith("HTTP/1.")) {
                return out.substring(out.indexOf("\r\n\r\n") + 4).strip();
            }
            last = out;
            Thread.sleep(100);
        }
        return "unreachable: " + last;
    }

    private static void sh(String... command) throws Exception {
        String out = run(command);
        if (out.startsWith("exit ")) {
            throw new AssertionError(String.join(" ", command) + ": " + out);
        }
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.waitFor() == 0 ? out : "exit " + p.exitValue() + ": " + out;
    }
}
