package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.cli.testprovider.HaltingHostProvider;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A new instance whose container fails after its claim, for a reason no plan and no claim could foresee, on this
 * machine's real Docker Engine with a second fleet on the same agent: its host port bound by a process that is not
 * Docker between the claim and the start (a Java socket of this test), and the run killed right after the claim.
 * The claim is released (or taken up again), no second container is ever made, and the next apply converges.
 */
class HostCreateFailureDockerTest {
    private static final String INSTANCE = "zone.s1.service.db[0]";

    @RegisterExtension
    final PoolFleets pool = new PoolFleets();

    @AfterEach
    void unbind() throws Exception { // before the pool destroys the fleets
        closeBound();
    }

    private static void closeBound() throws Exception {
        for (ServerSocket s : HaltingHostProvider.BOUND) {
            s.close();
        }
        HaltingHostProvider.BOUND.clear();
    }

    private static String running(List<String> containers) throws Exception {
        StringBuilder out = new StringBuilder();
        for (String id : containers) {
            out.append(QuickstartDockerTest.docker("inspect", "--format", "{{.State.Running}}", id).strip());
        }
        return out.toString();
    }

    @Test
    void aHostPortBoundAfterTheClaimReleasesTheClaimAndTheNextApplyConverges() throws Exception {
        Path other = pool.fleet("cf-other", PoolFleets.freePrefix(), "host", "ports = { game = 7000 }");
        pool.ok("apply", other.toString(), "--auto-approve");
        List<String> otherContainers = PoolFleets.containers(other);
        List<String> otherKeys = pool.keys(other);

        Path dir = pool.fleet("cf-port", PoolFleets.freePrefix(), "host-halting", "ports = { game = 7000 }");
        Map<String, String> binding = new HashMap<>(pool.env());
        binding.put("FLEETFORM_TEST_BIND_BEFORE_CONTAINER", "1");
        CliRunner.Result failed = CliRunner.run(binding, "apply", dir.toString(), "--auto-approve");
        assertThat(HaltingHostProvider.BOUND).as("the test bound the claimed port").hasSize(1);
        int port = HaltingHostProvider.BOUND.get(0).getLocalPort();
        String said = failed.out() + failed.err();
        assertThat(failed.exitCode()).as(said).isNotEqualTo(ExitCode.OK);
        assertThat(said).contains(INSTANCE).contains("host port " + port)
                .as("the Engine's answer").contains("address already in use").contains("was released")
                .doesNotContain("Exception");
        assertThat(pool.keys(dir)).as("the claim is released").isEmpty();
        assertThat(PoolFleets.containers(dir)).as("no container is left").isEmpty();
        assertThat(pool.run("state", "list", "--dir", dir.toString()).out()).doesNotContain(INSTANCE);
        assertThat(PoolFleets.containers(other)).as("the other fleet is untouched").isEqualTo(otherContainers);
        assertThat(pool.keys(other)).isEqualTo(otherKeys);
        assertThat(running(otherContainers)).isEqualTo("true");

        closeBound();
        CliRunner.Result apply = pool.ok("apply", dir.toString(), "--auto-approve");
        assertThat(apply.out()).contains("1 added");
        assertThat(PoolFleets.containers(dir)).hasSize(1);
        assertThat(running(PoolFleets.containers(dir))).isEqualTo("true");
        assertThat(pool.keys(dir)).hasSize(1);
        assertThat(pool.unchanged(dir)).isEqualTo(ExitCode.OK);
        assertThat(PoolFleets.containers(other)).isEqualTo(otherContainers);
        assertThat(pool.unchanged(other)).isEqualTo(ExitCode.OK);
    }

    @Test
    void aRunKilledRightAfterTheClaimIsFinishedOnItsClaimByTheNextApply() throws Exception {
        Path other = pool.fleet("cf-other", PoolFleets.freePrefix(), "host", "");
        pool.ok("apply", other.toString(), "--auto-approve");
        List<String> otherContainers = PoolFleets.containers(other);
        List<String> otherKeys = pool.keys(other);

        Path dir = pool.fleet("cf-kill", PoolFleets.freePrefix(), "host-halting", "");
        Map<String, String> halting = new HashMap<>(pool.env());
        halting.put("FLEETFORM_TEST_HALT_BEFORE_CONTAINER", "1");
        Process p = CliProcess.start(dir, halting, "apply", dir.toString(), "--auto-approve");
        assertThat(p.waitFor()).as(CliProcess.output(p)).isEqualTo(137);
        List<String> claimed = pool.keys(dir);
        assertThat(claimed).as("claimed, then killed before the container").hasSize(1);
        assertThat(PoolFleets.containers(dir)).isEmpty();

        CliRunner.Result apply = pool.ok("apply", dir.toString(), "--auto-approve");
        assertThat(apply.out()).contains("1 added");
        assertThat(PoolFleets.containers(dir)).as("one container, on the claim the killed run made").hasSize(1);
        assertThat(pool.keys(dir)).isEqualTo(claimed);
        assertThat(pool.unchanged(dir)).isEqualTo(ExitCode.OK);
        CliRunner.Result again = pool.ok("apply", dir.toString(), "--auto-approve");
        assertThat(PoolFleets.containers(dir)).as("no duplicate: " + again.out()).hasSize(1);
        assertThat(PoolFleets.containers(other)).isEqualTo(otherContainers);
        assertThat(pool.keys(other)).isEqualTo(otherKeys);
    }

    /**
     * A new instance claims what it needs without reading its ledger entry first. When a run killed after making
     * the container left a claim and a container that the new claim would not cover (a plan saved at a smaller
     * size, applied after that run), the agent refuses that claim, and the apply claims the cover of both first,
     * changes the container, then shrinks the claim: one container, on the same claim, at the planned size.
     */
    @Test
    void aSavedPlanAppliedAfterAKilledRunAtAnotherSizeClaimsTheCoverFirst() throws Exception {
        Path dir = pool.fleet("cf-size", PoolFleets.freePrefix(), "host-halting", "");
        Path file = dir.resolve("main.fleet");
        String config = java.nio.file.Files.readString(file);
        java.nio.file.Files.writeString(file, config.replace("memory  = 32Mi", "memory  = 16Mi"));
        Path saved = dir.resolve("small.plan");
        pool.ok("plan", dir.toString(), "-out", saved.toString());
        java.nio.file.Files.writeString(file, config);
        Map<String, String> halting = new HashMap<>(pool.env());
        halting.put("FLEETFORM_TEST_HALT_AFTER_APPLY", "1");
        Process p = CliProcess.start(dir, halting, "apply", dir.toString(), "--auto-approve");
        assertThat(p.waitFor()).as(CliProcess.output(p)).isEqualTo(137);
        List<String> claimed = pool.keys(dir);
        List<String> made = PoolFleets.containers(dir);
        assertThat(claimed).as("claimed, and its container made, before the kill").hasSize(1);
        assertThat(made).hasSize(1);

        java.nio.file.Files.writeString(file, config.replace("memory  = 32Mi", "memory  = 16Mi"));
        CliRunner.Result apply = pool.ok("apply", "--plan", saved.toString(), dir.toString());
        assertThat(apply.out()).contains("1 added");
        assertThat(PoolFleets.containers(dir)).as("the same container, changed in place: " + apply.out())
                .isEqualTo(made);
        assertThat(QuickstartDockerTest.docker("inspect", "--format", "{{.HostConfig.Memory}}", made.get(0)).strip())
                .isEqualTo(String.valueOf(16L << 20));
        assertThat(pool.keys(dir)).isEqualTo(claimed);
        assertThat(pool.client.allocation(claimed.get(0)).orElseThrow().memoryBytes())
                .as("the claim shrunk to the planned size").isEqualTo(16L << 20);
        assertThat(pool.unchanged(dir)).isEqualTo(ExitCode.OK);
    }

    /**
     * A new instance's put carries the image id the plan saw, and the agent checks it with the inspect the put makes
     * anyway (no request of its own): when the tag moved since the plan, the put is refused before any container is
     * made, and the claim made before it is released; the next apply converges.
     */
    @Test
    void aTagMovedSinceThePlanFailsTheNewInstanceAndReleasesItsClaim() throws Exception {
        Path dir = pool.fleet("cf-moved", PoolFleets.freePrefix(), "host-halting", "");
        Map<String, String> moved = new HashMap<>(pool.env());
        moved.put("FLEETFORM_TEST_IMAGE_MOVED", "1");
        CliRunner.Result failed = CliRunner.run(moved, "apply", dir.toString(), "--auto-approve");
        String said = failed.out() + failed.err();
        assertThat(failed.exitCode()).as(said).isNotEqualTo(ExitCode.OK);
        assertThat(said).contains(INSTANCE).contains("not sha256:" + "0".repeat(64) + " as planned")
                .contains("was released").doesNotContain("Exception");
        assertThat(pool.keys(dir)).as("the claim is released").isEmpty();
        assertThat(PoolFleets.containers(dir)).as("no container is made").isEmpty();

        CliRunner.Result apply = pool.ok("apply", dir.toString(), "--auto-approve");
        assertThat(apply.out()).contains("1 added");
        assertThat(PoolFleets.containers(dir)).hasSize(1);
        assertThat(pool.keys(dir)).hasSize(1);
        assertThat(pool.unchanged(dir)).isEqualTo(ExitCode.OK);
    }
}
