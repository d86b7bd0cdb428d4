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
 * Rollouts on the real Docker Engine through the CLI: a canary whose command exits non-zero
 * (restarted by the restart policy: a crash loop) fails the healthy gate, later stages stay
 * untouched, {@code rollout status} says why, applying again does not go past it, {@code rollout
 * abort} puts the previous command back on the canary; and an apply killed with SIGKILL in the
 * middle of a stage is continued from the recorded stage. Each test's fleet, network and subnet
 * are its own (the Docker Engine is shared).
 */
class RolloutDockerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GOOD = "trap 'exit 0' TERM; while true; do sleep 1; done";
    private static final String CRASH = "echo boom; exit 3";

    @TempDir
    Path dir;
    private AgentFleet fleet;

    @BeforeAll
    static void image() throws Exception {
        AgentFleet.buildBusyboxImage();
    }

    @BeforeEach
    void agent() throws Exception {
        fleet = AgentFleet.start(dir, "ro", "10.231", "a-long-enough-rollout-token-0123456789");
    }

    @AfterEach
    void cleanUp() throws Exception {
        run("rollout", "resume", dir.toString());
        run("destroy", dir.toString(), "--auto-approve");
        fleet.close();
    }

    private CliRunner.Result run(String... args) {
        return fleet.run(args);
    }

    private void write(String command, String canaryHealthyFor) throws Exception {
        Files.writeString(dir.resolve("main.fleet"), fleet.header() + """
                zones "toy" from 1 to 3 as z {
                  idc = idc.local
                  service "game" {
                    image   = image.toy
                    cpu     = 100m
                    memory  = 32Mi
                    command = ["sh", "-c", "%s"]
                  }
                }
                rollout "default" {
                  stage "canary" { zones = [zone.toy1]  healthy_for = %s }
                  stage "rest"   { max_parallel = 2  healthy_for = 1s }
                }
                """.formatted(command, canaryHealthyFor));
    }

    private String commandOf(String zone) throws Exception {
        return fleet.commandOf("zone." + zone + ".service.game[0]");
    }

    @Test
    void aCrashLoopingCanaryStopsTheRolloutAndAbortPutsThePreviousCommandBack() throws Exception {
        write(GOOD, "2s");
        CliRunner.Result created = run("apply", dir.toString(), "--auto-approve");
        assertThat(created.exitCode()).as(created.out() + created.err()).isEqualTo(ExitCode.OK);
        assertThat(created.out()).contains("== stage canary").contains("== stage rest");

        write(CRASH, "2s");
        CliRunner.Result plan = run("plan", dir.toString(), "--json");
        JsonNode planned = JSON.readTree(plan.out());
        assertThat(planned.at("/rollout/stages").toString()).contains("\"zone.toy1.service.game[0]\":\"canary\"")
                .contains("\"zone.toy3.service.game[0]\":\"rest\"");
        assertThat(planned.at("/rollout/disruption/zone.toy1.service.game[0]").asText()).isEqualTo("recreate");

        CliRunner.Result crashed = run("apply", dir.toString(), "--auto-approve");
        assertThat(crashed.exitCode()).as(crashed.out()).isEqualTo(ExitCode.ERROR);
        assertThat(crashed.out()).contains("did not become healthy").contains("crash-looping")
                .doesNotContain("== stage rest");
        assertThat(commandOf("toy1")).contains("exit 3");
        assertThat(commandOf("toy2")).contains("while true").endsWith("running");
        assertThat(commandOf("toy3")).contains("while true");

        CliRunner.Result status = run("rollout", "status", dir.toString());
        assertThat(status.out()).as(status.out() + status.err()).contains("failed").contains("crash-looping")
                .contains("retry stage canary").contains("zone.toy1.service.game[0]");
        JsonNode json = JSON.readTree(run("rollout", "status", dir.toString(), "--json").out());
        assertThat(json.at("/rollout/status").asText()).isEqualTo("failed");
        assertThat(json.at("/rollout/stages/0/status").asText()).isEqualTo("failed");
        assertThat(json.at("/rollout/stages/1/status").asText()).isEqualTo("pending");
        assertThat(json.at("/rollout/unfinished/0").asText()).isEqualTo("zone.toy1.service.game[0]");

        CliRunner.Result replan = run("plan", dir.toString());
        assertThat(replan.out()).contains("unfinished");

        CliRunner.Result again = run("apply", dir.toString(), "--auto-approve");
        assertThat(again.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(again.out()).doesNotContain("== stage rest");
        assertThat(commandOf("toy2")).contains("while true");

        CliRunner.Result abort = run("rollout", "abort", dir.toString());
        assertThat(abort.exitCode()).as(abort.out() + abort.err()).isEqualTo(ExitCode.OK);
        assertThat(abort.out()).contains("Aborted: 1 resource(s)");
        assertThat(commandOf("toy1")).contains("while true").endsWith("running");

        CliRunner.Result afterAbort = run("apply", dir.toString(), "--auto-approve");
        assertThat(afterAbort.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(afterAbort.out()).contains("aborted");
        assertThat(commandOf("toy1")).contains("while true");
        assertThat(commandOf("toy2")).contains("while true");
    }

    @Test
    void anApplyKilledInTheMiddleOfAStageIsContinuedFromTheRecordedStage() throws Exception {
        write(GOOD, "1s");
        CliRunner.Result created = run("apply", dir.toString(), "--auto-approve");
        assertThat(created.exitCode()).as(created.out() + created.err()).isEqualTo(ExitCode.OK);

        write(GOOD.replace("sleep 1", "sleep 2"), "8s");
        Process apply = CliProcess.start(dir, fleet.env(), "apply", ".", "--auto-approve");
        long deadline = System.nanoTime() + 60_000_000_000L;
        String seen = "";
        while (System.nanoTime() < deadline && !seen.contains("waiting for 1 resource(s) to be healthy")) {
            Thread.sleep(200);
            seen = CliProcess.output(apply);
        }
        assertThat(seen).contains("waiting for 1 resource(s) to be healthy");
        apply.destroyForcibly().waitFor();

        CliRunner.Result status = run("rollout", "status", dir.toString(), "--json");
        JsonNode json = JSON.readTree(status.out());
        assertThat(json.at("/rollout/stages/0/status").asText()).as(status.out()).isEqualTo("running");
        assertThat(json.at("/rollout/stages/1/status").asText()).isEqualTo("pending");
        assertThat(commandOf("toy1")).contains("sleep 2");
        assertThat(commandOf("toy2")).contains("sleep 1");

        CliRunner.Result resumed = run("apply", dir.toString(), "--auto-approve");
        assertThat(resumed.exitCode()).as(resumed.out() + resumed.err()).isEqualTo(ExitCode.OK);
        assertThat(resumed.out()).contains("== stage canary").contains("waiting for 1 resource(s) to be healthy")
                .contains("== stage rest");
        assertThat(commandOf("toy2")).contains("sleep 2");
        assertThat(commandOf("toy3")).contains("sleep 2");
        JsonNode done = JSON.readTree(run("rollout", "status", dir.toString(), "--json").out());
        assertThat(done.at("/rollout/status").asText()).isEqualTo("healthy");
        assertThat(run("plan", dir.toString(), "--detailed-exitcode").exitCode()).isEqualTo(ExitCode.OK);
    }
}
