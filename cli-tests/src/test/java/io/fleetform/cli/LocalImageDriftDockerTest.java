package io.fleetform.cli;

import static io.fleetform.cli.DockerFleet.docker;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local image (no registry digest) whose tag is moved under a running fleet ({@code docker tag},
 * {@code docker import}): the plan reads the image id the tag names on the host and shows the recreate
 * the agent will do, apply does exactly that, and a tag moved again after a saved plan is refused.
 */
class LocalImageDriftDockerTest {
    private static final String TOY1 = "zone.toy1.service.game[0]";

    @TempDir
    Path dir;
    private DockerFleet fleet;
    private String repository;

    @BeforeAll
    static void images() throws Exception {
        QuickstartDockerTest.images();
    }

    @BeforeEach
    void ownFleet() throws Exception {
        fleet = DockerFleet.in(dir, "imgdrift");
        repository = "fleetform/drift-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
        docker("tag", "fleetform/busybox:1", repository + ":1");
    }

    @AfterEach
    void cleanUp() throws Exception {
        CliRunner.run(Map.of(), "destroy", dir.toString(), "--auto-approve");
        fleet.removeAll();
        docker("rmi", repository + ":1");
    }

    private CliRunner.Result ok(int exit, String... args) {
        CliRunner.Result r = CliRunner.run(Map.of(), args);
        assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r.out() + r.err()).isEqualTo(exit);
        return r;
    }

    private static String imageId(String image) throws Exception {
        return docker("image", "inspect", "--format", "{{.Id}}", image).strip();
    }

    @Test
    void aMovedLocalTagIsPlannedAsTheRecreateApplyDoesAndASavedPlanRunsTheIdItSaw() throws Exception {
        fleet.write(fleet.quickstart().replace("name = \"fleetform/busybox\"", "name = \"" + repository + "\""));
        ok(ExitCode.OK, "apply", dir.toString(), "--auto-approve");
        JsonNode before = fleet.inspect(TOY1);
        assertThat(before.at("/Image").asText()).isEqualTo(imageId("fleetform/busybox:1"));
        ok(ExitCode.OK, "plan", dir.toString(), "--detailed-exitcode");

        // Someone moves the tag under the running fleet: the plan says so, as the recreate it is.
        docker("tag", "fleetform/busybox:2", repository + ":1");
        Path plan = dir.resolve("moved.plan");
        CliRunner.Result planned = ok(ExitCode.CHANGES, "plan", dir.toString(), "--detailed-exitcode", "-out",
                plan.toString());
        assertThat(planned.out()).contains("image_id: \"" + imageId("fleetform/busybox:1") + "\" → \""
                + imageId("fleetform/busybox:2") + "\"").contains("will be recreated");
        ok(ExitCode.OK, "apply", "--plan", plan.toString(), dir.toString());
        JsonNode after = fleet.inspect(TOY1);
        assertThat(after.at("/Image").asText()).isEqualTo(imageId("fleetform/busybox:2"));
        assertThat(after.at("/Id").asText()).isNotEqualTo(before.at("/Id").asText());
        ok(ExitCode.OK, "plan", dir.toString(), "--detailed-exitcode");

        // A saved plan runs the image id it saw: a tag moved again since is refused, not run in its place.
        docker("tag", "fleetform/busybox:1", repository + ":1");
        Path back = dir.resolve("back.plan");
        ok(ExitCode.CHANGES, "plan", dir.toString(), "--detailed-exitcode", "-out", back.toString());
        docker("tag", "fleetform/busybox:2", repository + ":1");
        CliRunner.Result refused = CliRunner.run(Map.of(), "apply", "--plan", back.toString(), dir.toString());
        assertThat(refused.exitCode()).as(refused.out() + refused.err()).isNotEqualTo(ExitCode.OK);
        assertThat(refused.out() + refused.err()).contains("the plan is stale: " + TOY1 + " evaluates differently now")
                .contains("nothing was changed");
        assertThat(fleet.inspect(TOY1).at("/Id").asText()).as("left running").isEqualTo(after.at("/Id").asText());
    }

    @Test
    void anImageTheHostLacksIsRefusedByThePlanNotPromisedAndLeftToFailAtApply() throws Exception {
        String absent = repository + "-absent";
        fleet.write(fleet.quickstart().replace("name = \"fleetform/busybox\"", "name = \"" + absent + "\""));
        CliRunner.Result plan = CliRunner.run(Map.of(), "plan", dir.toString());
        assertThat(plan.exitCode()).as(plan.out() + plan.err()).isEqualTo(ExitCode.ERROR);
        assertThat(plan.out() + plan.err()).contains("which does not have it (an agent starts only images its host has)")
                .contains(absent + ":1").contains("load it onto").doesNotContain("Exception");
        CliRunner.Result apply = CliRunner.run(Map.of(), "apply", dir.toString(), "--auto-approve");
        assertThat(apply.exitCode()).isNotEqualTo(ExitCode.OK);
        assertThat(fleet.containers()).as("nothing started").isEmpty();

        // Once the host has it, the same fleet plans and applies.
        docker("tag", "fleetform/busybox:1", absent + ":1");
        try {
            ok(ExitCode.OK, "apply", dir.toString(), "--auto-approve");
            // Removed from the host under the running fleet: a warning, the instances keep running.
            docker("rmi", absent + ":1");
            CliRunner.Result after = ok(ExitCode.OK, "plan", dir.toString());
            assertThat(after.out() + after.err()).contains("no longer has image " + absent + ":1");
        } finally {
            docker("rmi", absent + ":1");
        }
    }
}
