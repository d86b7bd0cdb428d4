package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service's {@code health} probe through the CLI on the real Docker Engine: the agent probes
 * busybox's httpd in each instance's container. A release that serves {@code /healthz} passes the
 * canary and the rollout goes on; a release whose server answers 404 there keeps running (Docker
 * sees nothing wrong) but fails the canary's gate with what the probe saw, later stages stay on
 * the old release, and applying again does not walk past it; abort puts the
 * previous release back and waits for its probe to pass. A partial canary (partition = 1) puts the broken
 * release on one instance only.
 */
class HealthProbeDockerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HEALTHY = "mkdir -p /www && echo ok > /www/healthz; "
            + HostNetworkingDockerTest.STOPPABLE + "busybox httpd -f -p 8080 -h /www & wait";
    private static final String BROKEN = "mkdir -p /www; " + HostNetworkingDockerTest.STOPPABLE
            + "busybox httpd -f -p 8080 -h /www & wait";

    @TempDir
    Path dir;
    private AgentFleet fleet;

    @BeforeAll
    static void image() throws Exception {
        AgentFleet.buildBusyboxImage();
    }

    @BeforeEach
    void agent() throws Exception {
        fleet = AgentFleet.start(dir, "hp", "10.232", "a-long-enough-probe-token-0123456789");
        Files.createDirectory(dir.resolve("fleet"));
    }

    @AfterEach
    void cleanUp() throws Exception {
        run("rollout", "resume", fleetDir());
        run("destroy", fleetDir(), "--auto-approve");
        fleet.close();
    }

    private String fleetDir() {
        return dir.resolve("fleet").toString();
    }

    private CliRunner.Result run(String... args) {
        return fleet.run(args);
    }

    private void write(String command) throws Exception {
        write(command, 1, "stage \"canary\" { zones = [zone.web1]  healthy_for = 1s }");
    }

    private void write(String command, int replicas, String canary) throws Exception {
        Files.writeString(dir.resolve("fleet/main.fleet"), fleet.header() + """
                zones "web" from 1 to 2 as z {
                  idc = idc.local
                  service "site" {
                    image   = image.toy
                    cpu     = 100m
                    memory  = 32Mi
                    replicas = %d
                    ports   = { http = 8080 }
                    command = ["sh", "-c", "%s"]
                    health {
                      http            = "/healthz"
                      port            = "http"
                      interval        = 500ms
                      timeout         = 400ms
                      healthy_after   = 2
                      unhealthy_after = 3
                    }
                  }
                }
                rollout "default" {
                  %s
                  stage "rest"   { healthy_for = 1s }
                }
                """.formatted(replicas, command, canary));
    }

    private String commandOf(String zone) throws Exception {
        return commandOf(zone, 0);
    }

    private String commandOf(String zone, int ordinal) throws Exception {
        return fleet.commandOf("zone." + zone + ".service.site[" + ordinal + "]");
    }

    @Test
    void aReleaseWhoseProbeFailsStopsAtTheCanaryWhileItsContainerRuns() throws Exception {
        write(HEALTHY);
        CliRunner.Result plan = run("plan", fleetDir());
        assertThat(plan.out()).as(plan.out() + plan.err()).contains("health").contains("/healthz");
        CliRunner.Result created = run("apply", fleetDir(), "--auto-approve");
        assertThat(created.exitCode()).as(created.out() + created.err()).isEqualTo(ExitCode.OK);
        assertThat(created.out()).contains("== stage canary").contains("== stage rest");
        JsonNode done = JSON.readTree(run("rollout", "status", fleetDir(), "--json").out());
        assertThat(done.at("/rollout/status").asText()).isEqualTo("healthy");

        write(BROKEN);
        CliRunner.Result broken = run("apply", fleetDir(), "--auto-approve");
        assertThat(broken.exitCode()).as(broken.out() + broken.err()).isEqualTo(ExitCode.ERROR);
        assertThat(broken.out()).contains("did not become healthy")
                .containsPattern("probe http /healthz on 8080 failed [3-9] time\\(s\\) in a row").contains("answered 404")
                .doesNotContain("== stage rest");
        assertThat(commandOf("web1")).doesNotContain("healthz").endsWith("running"); // Docker sees nothing wrong
        assertThat(commandOf("web2")).contains("healthz");

        CliRunner.Result status = run("rollout", "status", fleetDir());
        assertThat(status.out()).as(status.out() + status.err()).contains("failed").contains("answered 404");

        CliRunner.Result again = run("apply", fleetDir(), "--auto-approve");
        assertThat(again.exitCode()).as(again.out()).isEqualTo(ExitCode.ERROR);
        assertThat(again.out()).contains("answered 404").doesNotContain("== stage rest");
        assertThat(commandOf("web2")).contains("healthz");

        // abort puts the previous release back and waits until its probe passes again
        CliRunner.Result abort = run("rollout", "abort", fleetDir());
        assertThat(abort.exitCode()).as(abort.out() + abort.err()).isEqualTo(ExitCode.OK);
        assertThat(abort.out()).contains("restoring the previous revision")
                .contains("== stage canary: restored; waiting for 1 resource(s) to be healthy for 1s")
                .containsPattern("stage canary health: .*probe http /healthz on 8080")
                .contains("== stage canary is healthy").contains("are healthy");
        assertThat(commandOf("web1")).contains("healthz").endsWith("running");
        JsonNode aborted = JSON.readTree(run("rollout", "status", fleetDir(), "--json").out());
        assertThat(aborted.at("/rollout/status").asText()).isEqualTo("aborted");
    }

    @Test
    void aPartialCanaryPutsTheBrokenReleaseOnOneInstanceOnly() throws Exception {
        String canary = "stage \"canary\" { zones = [zone.web1]  partition = 1  healthy_for = 1s }";
        write(HEALTHY, 2, canary);
        CliRunner.Result created = run("apply", fleetDir(), "--auto-approve");
        assertThat(created.exitCode()).as(created.out() + created.err()).isEqualTo(ExitCode.OK);

        write(BROKEN, 2, canary);
        CliRunner.Result plan = run("plan", fleetDir());
        assertThat(plan.out()).contains("zone.web1.service.site[0] (host_instance) will be recreated")
                .containsPattern("zone.web1.service.site\\[0].*\\[stage canary")
                .containsPattern("zone.web1.service.site\\[1].*\\[stage rest");
        CliRunner.Result broken = run("apply", fleetDir(), "--auto-approve");
        assertThat(broken.exitCode()).as(broken.out() + broken.err()).isEqualTo(ExitCode.ERROR);
        assertThat(broken.out()).contains("answered 404").doesNotContain("== stage rest");
        assertThat(commandOf("web1", 0)).doesNotContain("healthz");
        assertThat(commandOf("web1", 1)).contains("healthz").endsWith("running");
        assertThat(commandOf("web2", 0)).contains("healthz");
    }
}
