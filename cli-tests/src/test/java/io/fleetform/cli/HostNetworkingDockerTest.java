package io.fleetform.cli;

import static io.fleetform.cli.DockerFleet.docker;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.testing.Loopback;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Network modes of a host fleet through the CLI on the real Docker Engine: bridge with ports published from the
 * agent's port range, host networking, and overlay refused at plan time. Traffic only on loopback.
 */
class HostNetworkingDockerTest {
    /**
     * Starts a server command run in the background and waited for: PID 1 of a container ignores signals
     * it has no handler for, so httpd exec'd as PID 1 outlives SIGTERM and every stop waited out the
     * 10 s grace before SIGKILL; this shell exits on TERM at once.
     */
    static final String STOPPABLE = "trap exit TERM; ";

    @TempDir
    Path dir;
    private DockerFleet fleet;
    private int firstPort;
    private final List<String> containerIds = new ArrayList<>();

    @BeforeAll
    static void images() throws Exception {
        QuickstartDockerTest.images();
    }

    @BeforeEach
    void ownFleet() throws Exception {
        fleet = DockerFleet.in(dir, "net");
        firstPort = Loopback.freePortRange(16000, 400, 8);
        // the in-process agent's port range: this test's own, so it never races other fleets on this engine
        Path data = Files.createDirectories(dir.resolve(".fleetform/local-agent/data"));
        Files.writeString(data.resolve("port-range"), firstPort + "-" + (firstPort + 7) + "\n");
    }

    @AfterEach
    void cleanUp() throws Exception {
        CliRunner.run(Map.of(), "destroy", dir.toString(), "--auto-approve");
        fleet.removeAll();
        for (String id : containerIds) {
            DockerFleet.docker("rm", "-f", id);
        }
    }

    private String fleetText(String network, String command) throws IOException {
        return fleet.quickstart().replace("from 1 to var.zones", "from 1 to 2")
                .replace("memory  = 64Mi", "memory  = 64Mi\n    network = " + network)
                .replaceAll("command = \\[.*\\]", Matcher.quoteReplacement("command = [\"sh\", \"-c\", \"" + command + "\"]"))
                .replace("ports   = { game = 7000 + z.index }", "ports   = { game = 8080 }");
    }

    private CliRunner.Result ok(String... args) {
        CliRunner.Result r = CliRunner.run(Map.of(), args);
        assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r.out() + r.err()).isEqualTo(ExitCode.OK);
        return r;
    }

    /** The endpoints the plan shows, in order of appearance. */
    private static List<Integer> endpoints(String plan) {
        List<Integer> out = new ArrayList<>();
        Matcher m = Pattern.compile("127\\.0\\.0\\.1:(\\d+)").matcher(plan);
        while (m.find()) {
            out.add(Integer.parseInt(m.group(1)));
        }
        return out;
    }

    private static String get(int port) throws InterruptedException {
        return Loopback.httpGet(port, 150);
    }

    @Test
    void bridgePortsArePublishedOnHostPortsFromTheAgentsRange() throws Exception {
        fleet.write(fleetText("bridge", "mkdir -p /www; echo zone-$FLEETFORM_ZONE > /www/index.html; "
                + STOPPABLE + "httpd -f -p 8080 -h /www & wait"));
        CliRunner.Result plan = ok("plan", dir.toString());
        assertThat(plan.out()).contains("network_mode").contains("\"bridge\"").contains(fleet.prefix + ".");
        List<Integer> ports = endpoints(plan.out());
        assertThat(ports).containsExactlyInAnyOrder(firstPort, firstPort + 1);
        assertThat(plan.out()).contains(firstPort + ":8080").contains((firstPort + 1) + ":8080");

        ok("apply", dir.toString(), "--auto-approve");
        assertThat(List.of(get(firstPort), get(firstPort + 1))).containsExactlyInAnyOrder("zone-toy1", "zone-toy2");
        // applied as planned: nothing left to do
        assertThat(CliRunner.run(Map.of(), "plan", dir.toString(), "--detailed-exitcode").exitCode())
                .isEqualTo(ExitCode.OK);
    }

    @Test
    void hostNetworkRunsInTheHostsNamespaceOnAllocatedPorts() throws Exception {
        fleet.write(fleetText("host", "mkdir -p /www; echo on-host-$FLEETFORM_ZONE > /www/index.html; "
                + STOPPABLE + "httpd -f -p $FLEETFORM_PORT_GAME -h /www & wait"));
        CliRunner.Result plan = ok("plan", dir.toString());
        assertThat(plan.out()).contains("network_mode").contains("\"host\"");
        assertThat(endpoints(plan.out())).containsExactlyInAnyOrder(firstPort, firstPort + 1);

        ok("apply", dir.toString(), "--auto-approve");
        String ids = docker("ps", "-q", "--no-trunc", "--filter", "label=io.fleetform.managed=true",
                "--filter", "network=host").strip();
        for (String id : ids.split("\\s+")) {
            if (!id.isBlank() && docker("inspect", "-f", "{{index .Config.Env}}", id).contains("FLEETFORM_PORT_GAME="
                    + firstPort) || docker("inspect", "-f", "{{index .Config.Env}}", id).contains("FLEETFORM_PORT_GAME="
                    + (firstPort + 1))) {
                containerIds.add(id);
            }
        }
        // two servers on one host's network, each on its own port from the ledger
        assertThat(List.of(get(firstPort), get(firstPort + 1)))
                .containsExactlyInAnyOrder("on-host-toy1", "on-host-toy2");
        assertThat(CliRunner.run(Map.of(), "plan", dir.toString(), "--detailed-exitcode").exitCode())
                .isEqualTo(ExitCode.OK);
        ok("destroy", dir.toString(), "--auto-approve");
        assertThat(get(firstPort)).doesNotContain("on-host");
    }

    @Test
    void overlayOnHostsIsRefusedAtPlanTimeWhereTheServiceIsWritten() throws Exception {
        fleet.write(fleetText("overlay", "sleep 100"));
        CliRunner.Result r = CliRunner.run(Map.of(), "plan", dir.toString());
        assertThat(r.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(r.err()).contains("service zone.toy1.service.game asks for network = overlay, which hosts "
                + "\"laptop\" cannot give (a Docker overlay network needs a swarm)")
                .containsPattern("quickstart\\.fleet:\\d+:\\d+").contains("^").doesNotContain("Exception");
        assertThat(fleet.networks()).isEmpty();
    }
}
