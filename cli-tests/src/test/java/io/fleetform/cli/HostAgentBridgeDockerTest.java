package io.fleetform.cli;

import static io.fleetform.cli.DockerFleet.docker;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.testing.Loopback;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code network = agent_bridge} through the CLI on the real Docker Engine: the plan says so, apply makes each
 * instance a container of network mode {@code none} with its eth0 on the fleet's own Linux bridge at its IP of the
 * IDC's {@code ip_pool}, the host reaches it there over TCP, a plan after it changes nothing, and destroy takes the
 * bridge and its rules away. Its ports are published by the agent's DNAT rules (their drift shown and repaired, a
 * second fleet's plan told whose they are). Traffic stays on the host.
 */
class HostAgentBridgeDockerTest {
    @TempDir
    Path dir;
    /** A second fleet's directory (JUnit 5.11: a directory of its own per declaration). */
    @TempDir
    Path other;
    private DockerFleet fleet;

    @BeforeAll
    static void images() throws Exception {
        QuickstartDockerTest.images();
    }

    @BeforeEach
    void setUp() throws Exception {
        fleet = DockerFleet.in(dir, "ab");
    }

    @AfterEach
    void cleanUp() throws Exception {
        CliRunner.run(Map.of(), "destroy", dir.toString(), "--auto-approve");
        for (String id : containers()) {
            docker("rm", "-f", id);
        }
    }

    /** The fleet's containers, by its identity label. */
    private List<String> containers() throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : docker("ps", "-a", "--filter", "label=io.fleetform.managed=true", "--format",
                "{{.ID}} {{.Label \"io.fleetform.fleet\"}}").lines().toList()) {
            String[] parts = line.strip().split(" ");
            if (parts.length == 2 && parts[1].startsWith(fleet.name + ".")) {
                out.add(parts[0]);
            }
        }
        return out;
    }

    /** The fleet with each zone's game server on its own IP's 8080, published on a host port of the fleet's range. */
    private String fleetTextWithPorts() throws Exception {
        return fleetText().replace("    command = [", "    ports   = { game = 8080 }\n    command = [");
    }

    /** The first host port of the fleet's range (its in-process agent's {@code port-range}). */
    private int firstPort() throws Exception {
        return Integer.parseInt(Files.readString(dir.resolve(".fleetform/local-agent/data/port-range")).strip()
                .split("-")[0]);
    }

    /** The fleet's iptables rules (its bridge's and its instances'), by their comments. */
    private List<String> rules() throws Exception {
        return (run("iptables", "-t", "nat", "-S") + run("iptables", "-S")).lines()
                .filter(l -> l.contains("\"fleetform " + fleet.name + ".")).toList();
    }

    private String fleetText() throws Exception {
        // the process starts before the agent gives the container its eth0: a server that binds its own address
        // waits for it (httpd here binds every address, so the wait is only the documented pattern)
        return fleet.quickstart()
                .replace("memory  = 64Mi", "memory  = 64Mi\n    network = agent_bridge")
                .replaceAll("command = \\[.*\\]", Matcher.quoteReplacement("command = [\"sh\", \"-c\", \"until grep -q"
                        + " up /sys/class/net/eth0/operstate 2>/dev/null; do sleep 0.1; done; mkdir -p /www;"
                        + " echo zone-$FLEETFORM_ZONE > /www/index.html; " + HostNetworkingDockerTest.STOPPABLE
                        + "httpd -f -p 8080 -h /www & wait\"]"))
                .replace("    ports   = { game = 7000 + z.index }\n", "");
    }

    private CliRunner.Result ok(String... args) {
        CliRunner.Result r = CliRunner.run(Map.of(), args);
        assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r.out() + r.err()).isEqualTo(ExitCode.OK);
        return r;
    }

    /** What the host reads from the instance's httpd at its own IP (it waits for the server to listen). */
    private static String fetch(String ip) throws Exception {
        return Loopback.httpGet(ip, 8080, 200);
    }

    @Test
    void eachInstanceIsOnTheFleetsOwnBridgeAndAPlanAfterwardsChangesNothing() throws Exception {
        fleet.write(fleetText());
        CliRunner.Result plan = ok("plan", dir.toString());
        assertThat(plan.out()).contains("\"agent_bridge\"").contains("\"" + fleet.prefix + ".1\"");

        ok("apply", dir.toString(), "--auto-approve");
        List<String> ids = containers();
        assertThat(ids).hasSize(2);
        for (String id : ids) {
            assertThat(docker("inspect", "-f", "{{.HostConfig.NetworkMode}}", id).strip()).isEqualTo("none");
        }
        String ip1 = fleet.prefix + ".2";
        String ip2 = fleet.prefix + ".3";
        assertThat(List.of(fetch(ip1), fetch(ip2))).containsExactlyInAnyOrder("zone-toy1", "zone-toy2");
        assertThat(docker("exec", ids.get(0), "ip", "route")).contains("default via " + fleet.prefix + ".1 dev eth0");
        assertThat(fleet.networks()).as("no Docker network").isEmpty();
        CliRunner.Result again = CliRunner.run(Map.of(), "plan", dir.toString(), "--detailed-exitcode");
        assertThat(again.exitCode()).as(again.out() + again.err()).isEqualTo(ExitCode.OK);

        ok("destroy", dir.toString(), "--auto-approve");
        assertThat(containers()).isEmpty();
        assertThat(new String(new ProcessBuilder("ip", "-d", "-o", "link", "show", "type", "bridge").start()
                .getInputStream().readAllBytes(), StandardCharsets.UTF_8)).doesNotContain("ff-" + fleet.name);
        assertThat(new String(new ProcessBuilder("iptables", "-S").start().getInputStream().readAllBytes(),
                StandardCharsets.UTF_8)).doesNotContain("fleetform " + fleet.name + ".");
        assertThat(Files.readString(dir.resolve(".fleetform/local-agent/data/ledger.json")))
                .doesNotContain(ip1).doesNotContain(ip2);
    }

    /**
     * Ports on the agent's bridge: published by the agent's DNAT rules, reached at each instance's endpoint on the
     * host; a rule deleted by hand is drift the plan shows (in place) and apply puts back; a second fleet on the same
     * host ports (another agent, its own ledger, network = bridge) is placed past them and told whose they are; destroy
     * leaves no rule of the fleet.
     */
    @Test
    void publishedPortsReachEachInstanceAndARuleDeletedByHandIsDriftApplyPutsBack() throws Exception {
        fleet.write(fleetTextWithPorts());
        CliRunner.Result valid = ok("validate", dir.toString());
        assertThat(valid.out() + valid.err()).doesNotContain("agent-bridge-ports");
        CliRunner.Result plan = ok("plan", dir.toString());
        int first = firstPort();
        assertThat(plan.out()).contains("ports_published").contains(first + ":8080").contains("127.0.0.1:" + first);

        ok("apply", dir.toString(), "--auto-approve");
        assertThat(List.of(Loopback.httpGet("127.0.0.1", first, 200), Loopback.httpGet("127.0.0.1", first + 1, 200)))
                .containsExactlyInAnyOrder("zone-toy1", "zone-toy2");
        assertThat(rules()).as("the bridge's 7 and 10 of each instance").hasSize(27);
        CliRunner.Result same = CliRunner.run(Map.of(), "plan", dir.toString(), "--detailed-exitcode");
        assertThat(same.exitCode()).as(same.out() + same.err()).isEqualTo(ExitCode.OK);

        // a rule of one instance deleted by hand
        String forward = rules().stream().filter(r -> r.startsWith("-A FLEETFORM-FORWARD -d ")).findFirst().orElseThrow();
        List<String> del = new ArrayList<>(List.of("iptables", "-D"));
        Matcher words = java.util.regex.Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(forward.substring(3));
        while (words.find()) {
            del.add(words.group(1) != null ? words.group(1) : words.group(2));
        }
        assertThat(run(del.toArray(String[]::new))).isBlank();
        CliRunner.Result drifted = CliRunner.run(Map.of(), "plan", dir.toString(), "--detailed-exitcode");
        assertThat(drifted.exitCode()).as(drifted.out() + drifted.err()).isEqualTo(ExitCode.CHANGES);
        assertThat(drifted.out()).contains("ports_published").doesNotContain("will be recreated");
        ok("apply", dir.toString(), "--auto-approve");
        assertThat(rules()).hasSize(27).contains(forward);
        CliRunner.Result repaired = CliRunner.run(Map.of(), "plan", dir.toString(), "--detailed-exitcode");
        assertThat(repaired.exitCode()).as(repaired.out() + repaired.err()).isEqualTo(ExitCode.OK);

        // another fleet's agent handing out the same host ports, network = bridge: placed past them, told whose
        DockerFleet second = DockerFleet.in(other, "abo");
        Files.writeString(other.resolve(".fleetform/local-agent/data/port-range"), first + "-" + (first + 9) + "\n");
        Files.writeString(other.resolve("quickstart.fleet"), second.quickstart()
                .replace("    ports   = { game = 7000 + z.index }\n", "    ports   = { game = 8080 }\n"));
        CliRunner.Result beside = ok("plan", other.toString());
        assertThat(beside.out() + beside.err()).contains("in use outside its agent's ledger")
                .contains("DNAT rules of its agent bridge")
                .contains("fleet " + fleet.name + ".").contains((first + 2) + ":8080").doesNotContain(first + ":8080")
                .doesNotContain((first + 1) + ":8080");

        // a foreign rule commented like one of the fleet's instances: destroy leaves it
        String comment = rules().stream().filter(r -> r.contains(" zone.toy1.service.game[0]\""))
                .map(r -> r.replaceAll(".*--comment \"([^\"]*)\".*", "$1")).findFirst().orElseThrow();
        List<String> foreign = List.of("iptables", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "-m", "tcp",
                "--dport", Integer.toString(first + 9), "-m", "comment", "--comment", comment + "x", "-j", "RETURN");
        assertThat(run(foreign.toArray(String[]::new))).isBlank();
        try {
            ok("destroy", dir.toString(), "--auto-approve");
            assertThat(rules()).containsExactly("-A PREROUTING -p tcp -m tcp --dport " + (first + 9)
                    + " -m comment --comment \"" + comment + "x\" -j RETURN");
        } finally {
            List<String> undo = new ArrayList<>(foreign);
            undo.set(3, "-D");
            run(undo.toArray(String[]::new));
        }
        assertThat(rules()).isEmpty();
    }

    /**
     * {@code fleetform apply} (its in-process agent with it) killed with SIGKILL at several moments of making the
     * instances: between a create and its start, a start and its veth, the veth and its address. The next apply
     * finishes every instance, each with one veth and one address, and a plan after it changes nothing.
     */
    @Test
    void anApplyKilledAtAnyStepIsFinishedByTheNextWithoutDoublingAnything() throws Exception {
        fleet.write(fleetTextWithPorts().replace("default = 2", "default = 6"));
        for (long delay : new long[] {2500, 4000, 5500}) {
            Process apply = CliProcess.start(dir, Map.of(), "apply", ".", "--auto-approve", "--parallelism", "3");
            Thread.sleep(delay);
            apply.destroyForcibly().waitFor();
        }
        ok("apply", dir.toString(), "--auto-approve");
        List<String> ids = containers();
        assertThat(ids).hasSize(6);
        String bridge = null;
        for (String id : ids) {
            String pid = docker("inspect", "-f", "{{.State.Pid}}", id).strip();
            String eth0 = run("nsenter", "-t", pid, "-n", "ip", "-4", "-o", "addr", "show", "dev", "eth0");
            assertThat(eth0.lines().count()).as(id + ": " + eth0).isEqualTo(1);
            String ip = eth0.replaceAll("(?s).*inet ([0-9.]+)/.*", "$1");
            assertThat(fetch(ip)).startsWith("zone-toy");
        }
        for (String line : run("ip", "-d", "-o", "link", "show", "type", "bridge").lines().toList()) {
            if (line.contains("alias fleetform " + fleet.name + ".")) {
                bridge = line.split(": ")[1].split("[@:]")[0];
            }
        }
        assertThat(bridge).isNotNull();
        assertThat(run("ip", "-o", "link", "show", "master", bridge).lines().count()).as("one veth each")
                .isEqualTo(6);
        assertThat(rules()).as("the bridge's 7 and 10 for each instance's port, none doubled").hasSize(67)
                .doesNotHaveDuplicates();
        int first = firstPort();
        List<String> served = new ArrayList<>();
        for (int port = first; port < first + 6; port++) {
            served.add(Loopback.httpGet("127.0.0.1", port, 200));
        }
        assertThat(served).hasSize(6).allMatch(r -> r.startsWith("zone-toy")).doesNotHaveDuplicates();
        CliRunner.Result again = CliRunner.run(Map.of(), "plan", dir.toString(), "--detailed-exitcode");
        assertThat(again.exitCode()).as(again.out() + again.err()).isEqualTo(ExitCode.OK);
        ok("destroy", dir.toString(), "--auto-approve");
        assertThat(run("ip", "-o", "link", "show")).doesNotContain(bridge);
        assertThat(run("iptables", "-S") + run("iptables", "-t", "nat", "-S"))
                .doesNotContain("fleetform " + fleet.name + ".");
        assertThat(rules()).isEmpty();
    }

    /**
     * An instance's eth0 removed by hand (no start, so no watcher gives it again) is drift: the plan shows
     * {@code eth0_in_container} as missing, for that instance only, apply gives it again in place (same container,
     * not restarted), and the plan after it changes nothing. The fleet's agent is a daemon (a {@code local = true}
     * agent equips what it finds lacking when it starts, before any read). A container beside it that is not the
     * fleet's, in network mode none, is left as it is.
     */
    @Test
    void anEth0LostInAContainerIsDriftThatApplyGivesAgainInPlace() throws Exception {
        Path agentDir = Files.createDirectories(dir.resolve("daemon-agent"));
        String token = "agent-bridge-drift-token-0123456789";
        Files.writeString(agentDir.resolve("token"), token);
        Path data = Files.createDirectories(agentDir.resolve("data"));
        Files.copy(dir.resolve(".fleetform/local-agent/data/port-range"), data.resolve("port-range"));
        String foreign = "hosthonest-foreign-" + fleet.name;
        Map<String, String> env = Map.of("FLEETFORM_SECRET_AGENT", token);
        try (io.fleetform.provider.host.agent.AgentServer agent = io.fleetform.provider.host.agent.AgentServer.start(
                io.fleetform.provider.host.agent.AgentOptions.of(new java.net.InetSocketAddress("127.0.0.1", 0),
                        agentDir.resolve("token"), data))) {
            fleet.write(fleetText().replaceAll("(?s)hosts \"laptop\" \\{.*?\\n}", Matcher.quoteReplacement(
                    "hosts \"laptop\" {\n  agents = [\"127.0.0.1:" + agent.port() + "\"]\n  token  = secret(\"agent\")\n}")));
            docker("run", "-d", "--name", foreign, "--network", "none", "fleetform/busybox:1", "sleep", "600");
            try {
                okWith(env, "apply", dir.toString(), "--auto-approve");
                List<String> ids = containers();
                assertThat(ids).hasSize(2);
                String lost = null;
                for (String id : ids) {
                    if (docker("exec", id, "ip", "-4", "addr", "show", "eth0").contains(fleet.prefix + ".2/")) {
                        lost = id;
                    }
                }
                assertThat(lost).isNotNull();
                String started = docker("inspect", "-f", "{{.State.StartedAt}}", lost).strip();
                String pid = docker("inspect", "-f", "{{.State.Pid}}", lost).strip();
                run("nsenter", "-t", pid, "-n", "ip", "link", "del", "eth0");

                CliRunner.Result plan = CliRunner.run(env, "plan", dir.toString(), "--detailed-exitcode");
                assertThat(plan.exitCode()).as(plan.out() + plan.err()).isEqualTo(ExitCode.CHANGES);
                assertThat(plan.out()).contains("eth0_in_container").contains("\"missing\"")
                        .contains("\"" + fleet.prefix + ".2/24 via " + fleet.prefix + ".1\"")
                        .contains("0 to add, 1 to change").doesNotContain("recreated");

                okWith(env, "apply", dir.toString(), "--auto-approve");
                assertThat(containers()).containsExactlyInAnyOrderElementsOf(ids);
                assertThat(docker("inspect", "-f", "{{.State.StartedAt}}", lost).strip()).as("not restarted")
                        .isEqualTo(started);
                assertThat(List.of(fetch(fleet.prefix + ".2"), fetch(fleet.prefix + ".3")))
                        .containsExactlyInAnyOrder("zone-toy1", "zone-toy2");
                CliRunner.Result again = CliRunner.run(env, "plan", dir.toString(), "--detailed-exitcode");
                assertThat(again.exitCode()).as(again.out() + again.err()).isEqualTo(ExitCode.OK);
                assertThat(docker("inspect", "-f", "{{.State.Running}} {{.HostConfig.NetworkMode}}", foreign).strip())
                        .isEqualTo("true none");
                okWith(env, "destroy", dir.toString(), "--auto-approve");
            } finally {
                docker("rm", "-f", foreign);
            }
        }
    }

    /**
     * Switching an IDC between the Docker network and the agent's bridge, either way, while the other one still holds
     * the subnet on the host is refused by the plan, naming it, and nothing changes; once the instances are gone
     * (destroy), the new mode applies.
     */
    @Test
    void switchingNetworkModesEitherWayIsRefusedWhileTheOtherStillHoldsTheSubnet() throws Exception {
        String agentBridge = fleetText();
        String bridge = agentBridge.replace("\n    network = agent_bridge", "");
        fleet.write(agentBridge);
        ok("apply", dir.toString(), "--auto-approve");
        List<String> ids = containers();

        fleet.write(bridge);
        CliRunner.Result back = CliRunner.run(Map.of(), "plan", dir.toString());
        assertThat(back.exitCode()).as(back.out() + back.err()).isEqualTo(ExitCode.ERROR);
        assertThat(back.out() + back.err()).contains("zone.toy1.service.game[0]: network = bridge on host")
                .contains("still has this fleet's agent bridge ffb").contains("destroy them")
                .doesNotContain("Exception");
        assertThat(containers()).containsExactlyInAnyOrderElementsOf(ids);

        ok("destroy", dir.toString(), "--auto-approve"); // what the hint says, with the new text already written
        ok("apply", dir.toString(), "--auto-approve");
        assertThat(fleet.networks()).hasSize(1);
        assertThat(fetch(fleet.prefix + ".2")).startsWith("zone-toy");

        fleet.write(agentBridge);
        CliRunner.Result forth = CliRunner.run(Map.of(), "plan", dir.toString());
        assertThat(forth.exitCode()).as(forth.out() + forth.err()).isEqualTo(ExitCode.ERROR);
        assertThat(forth.out() + forth.err()).contains("network = agent_bridge on host")
                .contains("still has this fleet's Docker network " + fleet.networks().get(0))
                .doesNotContain("Exception");
        fleet.write(bridge);
    }

    private static CliRunner.Result okWith(Map<String, String> env, String... args) {
        CliRunner.Result r = CliRunner.run(env, args);
        assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r.out() + r.err()).isEqualTo(ExitCode.OK);
        return r;
    }

    private static String run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
