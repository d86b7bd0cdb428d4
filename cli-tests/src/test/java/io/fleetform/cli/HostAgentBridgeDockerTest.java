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
 * bridge and its rules away. A service with ports is refused where it is written. Traffic stays on the host.
 */
class HostAgentBridgeDockerTest {
    @TempDir
    Path dir;
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

    @Test
    void portsAreRefusedWhereTheServiceIsWritten() throws Exception {
        fleet.write(fleet.quickstart().replace("memory  = 64Mi", "memory  = 64Mi\n    network = agent_bridge"));
        CliRunner.Result refused = CliRunner.run(Map.of(), "validate", dir.toString());
        assertThat(refused.exitCode()).as(refused.out() + refused.err()).isNotEqualTo(ExitCode.OK);
        assertThat(refused.out() + refused.err()).contains("quickstart.fleet:30:3").contains("^")
                .contains("network = agent_bridge and has ports game").contains("no DNAT")
                .doesNotContain("Exception");
    }

    /**
     * {@code fleetform apply} (its in-process agent with it) killed with SIGKILL at several moments of making the
     * instances: between a create and its start, a start and its veth, the veth and its address. The next apply
     * finishes every instance, each with one veth and one address, and a plan after it changes nothing.
     */
    @Test
    void anApplyKilledAtAnyStepIsFinishedByTheNextWithoutDoublingAnything() throws Exception {
        fleet.write(fleetText().replace("default = 2", "default = 6"));
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
        CliRunner.Result again = CliRunner.run(Map.of(), "plan", dir.toString(), "--detailed-exitcode");
        assertThat(again.exitCode()).as(again.out() + again.err()).isEqualTo(ExitCode.OK);
        ok("destroy", dir.toString(), "--auto-approve");
        assertThat(run("ip", "-o", "link", "show")).doesNotContain(bridge);
        assertThat(run("iptables", "-S") + run("iptables", "-t", "nat", "-S"))
                .doesNotContain("fleetform " + fleet.name + ".");
    }

    private static String run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
