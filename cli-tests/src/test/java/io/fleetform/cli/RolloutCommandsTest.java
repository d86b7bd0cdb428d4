package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rollout pause|resume|rollback|promote|status} through the CLI, with the file-backed
 * test provider standing in for infrastructure (it has no health signal, so gates pass once the
 * changes are made; the real health gates are tested on Docker and the API server).
 */
class RolloutCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "tok-s3cret-value";
    private static final String FLEET = RolloutFleet.text(3, "{ approval = manual }");

    @TempDir
    Path dir;
    private Path world;
    private Map<String, String> env;

    @BeforeEach
    void fleet() throws Exception {
        Files.writeString(dir.resolve("main.fleet"), FLEET);
        world = dir.resolve("world");
        env = RolloutFleet.env(world, SECRET);
    }

    private CliRunner.Result run(String... args) {
        return CliRunner.run(env, args);
    }

    private String image(String zone) throws Exception {
        return JSON.readTree(world.resolve("zone." + zone + ".service.game[0].json").toFile()).path("image").asText();
    }

    private JsonNode status() throws Exception {
        CliRunner.Result r = run("rollout", "status", dir.toString(), "--json");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.OK);
        return JSON.readTree(r.out()).path("rollout");
    }

    @Test
    void aRestoreRefusedWithTheSecretInTheAnswerNeverShowsOrKeepsIt() throws Exception {
        assertThat(run("apply", dir.toString(), "--auto-approve", "--approve-stage", "rest").exitCode())
                .isEqualTo(ExitCode.OK);
        env.put("FLEETFORM_VAR_tag", "v2");
        assertThat(run("apply", dir.toString(), "--auto-approve").exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(image("s1")).endsWith("v2");
        env.put("FLEETFORM_TEST_FAIL_ECHO", "zone.s1.service.game*");
        CliRunner.Result abort = run("rollout", "rollback", dir.toString());
        assertThat(abort.exitCode()).as(abort.out() + abort.err()).isEqualTo(ExitCode.ERROR);
        assertThat(abort.out() + abort.err()).contains("invalid config").contains("(sensitive)")
                .doesNotContain(SECRET);
        assertThat(run("rollout", "status", dir.toString()).out()).doesNotContain(SECRET);
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).filter(f -> !f.startsWith(world)).toList()) {
                assertThat(Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1)).as(file.toString())
                        .doesNotContain(SECRET);
            }
        }
    }

    @Test
    void promotingAStageTheRolloutDoesNotHaveIsRefusedAndNothingIsApplied() throws Exception {
        assertThat(run("apply", dir.toString(), "--auto-approve", "--approve-stage", "rest").exitCode())
                .isEqualTo(ExitCode.OK);
        env.put("FLEETFORM_VAR_tag", "v2");
        for (List<String> args : List.of(List.of("rollout", "promote", "rets", dir.toString(), "--auto-approve"),
                List.of("apply", dir.toString(), "--auto-approve", "--approve-stage", "rets"))) {
            CliRunner.Result typo = run(args.toArray(String[]::new));
            assertThat(typo.exitCode()).as(typo.out() + typo.err()).isEqualTo(ExitCode.ERROR);
            assertThat(typo.err()).contains("no stage named \"rets\"").contains("canary").contains("rest")
                    .contains("nothing was changed");
            assertThat(image("s1")).as("not even the canary moved").endsWith("v1");
        }
    }

    @Test
    void pausePromoteResumeAndRollbackAcrossStages() throws Exception {
        assertThat(run("rollout", "status", dir.toString()).out()).contains("No rollout is recorded");
        CliRunner.Result created = run("apply", dir.toString(), "--auto-approve", "--approve-stage", "rest");
        assertThat(created.exitCode()).as(created.out() + created.err()).isEqualTo(ExitCode.OK);
        assertThat(status().path("status").asText()).isEqualTo("healthy");

        // v2: the canary goes, the manual stage waits; the plan says which stage each change is in.
        env.put("FLEETFORM_VAR_tag", "v2");
        assertThat(run("plan", dir.toString()).out()).contains("[stage canary · recreate]")
                .contains("[stage rest · recreate]").contains("Rollout default: revision ");
        CliRunner.Result canary = run("apply", dir.toString(), "--auto-approve");
        assertThat(canary.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(canary.out()).contains("rollout promote rest");
        assertThat(image("s1")).endsWith("v2");
        assertThat(image("s2")).endsWith("v1");
        assertThat(status().path("next").asText()).isEqualTo("stage rest");

        // Paused: not even a promotion continues it.
        assertThat(run("rollout", "pause", dir.toString()).exitCode()).isEqualTo(ExitCode.OK);
        assertThat(status().path("status").asText()).isEqualTo("paused");
        CliRunner.Result paused = run("rollout", "promote", "rest", dir.toString(), "--auto-approve");
        assertThat(paused.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(paused.out()).contains("the rollout is paused");
        assertThat(image("s2")).endsWith("v1");

        assertThat(run("rollout", "resume", dir.toString()).exitCode()).isEqualTo(ExitCode.OK);
        CliRunner.Result promoted = run("rollout", "promote", "rest", dir.toString(), "--auto-approve");
        assertThat(promoted.exitCode()).as(promoted.out() + promoted.err()).isEqualTo(ExitCode.OK);
        assertThat(image("s2")).endsWith("v2");
        assertThat(image("s3")).endsWith("v2");
        JsonNode done = status();
        assertThat(done.path("status").asText()).isEqualTo("healthy");
        String previous = done.path("previous_revision").asText();
        assertThat(previous).isNotEmpty();

        // Back to v1 everywhere, stage by stage; the secret comes from the configuration (its hash is unchanged).
        CliRunner.Result wrong = run("rollout", "rollback", dir.toString(), "--to", "0000bogus");
        assertThat(wrong.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(wrong.err()).contains("is not recorded");
        CliRunner.Result rollback = run("rollout", "rollback", dir.toString(), "--to",
                previous.substring("sha256:".length(), "sha256:".length() + 12));
        assertThat(rollback.exitCode()).as(rollback.out() + rollback.err()).isEqualTo(ExitCode.OK);
        assertThat(rollback.out()).contains("Rolled back: 3 resource(s)");
        assertThat(image("s1")).endsWith("v1");
        assertThat(image("s3")).endsWith("v1");
        assertThat(Files.readString(world.resolve("zone.s1.service.game[0].json"))).contains(SECRET);
        assertThat(status().path("status").asText()).isEqualTo("rolled-back");
        CliRunner.Result again = run("apply", dir.toString(), "--auto-approve", "--approve-stage", "rest");
        assertThat(again.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(again.out()).contains("was rolled back");
        assertThat(image("s1")).endsWith("v1");
    }

    @Test
    void thePlanGivesEachChangeItsStageInEveryRollout() throws Exception {
        Files.writeString(dir.resolve("main.fleet"), FLEET + """
                rollout "fast" {
                  stage "all" {}
                }
                """);
        CliRunner.Result text = run("plan", dir.toString());
        assertThat(text.out()).as(text.out() + text.err())
                .contains("zone.s1.service.game[0] (test_instance) will be created: not in the state [stage canary · other rollouts fast: all]")
                .contains("zone.s3.service.game[0] (test_instance) will be created: not in the state [stage rest · other rollouts fast: all]");
        JsonNode json = JSON.readTree(run("plan", dir.toString(), "--json").out()).path("rollout");
        assertThat(json.path("rollout").asText()).isEqualTo("default");
        assertThat(json.at("/stages/zone.s2.service.game[0]").asText()).isEqualTo("rest");
        assertThat(json.at("/rollouts/default/zone.s1.service.game[0]").asText()).isEqualTo("canary");
        assertThat(json.at("/rollouts/fast/zone.s1.service.game[0]").asText()).isEqualTo("all");

        // without a "default" among several, apply follows none of them; the plan still says each one's stage
        Files.writeString(dir.resolve("main.fleet"), FLEET.replace("rollout \"default\"", "rollout \"careful\"")
                + "rollout \"fast\" { stage \"all\" {} }\n");
        CliRunner.Result none = run("plan", dir.toString());
        assertThat(none.out()).as(none.out() + none.err())
                .contains("zone.s1.service.game[0] (test_instance) will be created: not in the state [stages careful: canary, fast: all]");
        Path saved = dir.resolve("plan.json");
        assertThat(run("plan", dir.toString(), "-out", saved.toString()).exitCode()).isEqualTo(ExitCode.OK);
        assertThat(run("show", "--plan", saved.toString()).out()).contains("[stages careful: canary, fast: all]");
    }

    @Test
    void aPartialStageChangesTheFirstInstancesOfItsZonesAndLeavesTheRestToTheNextStage() throws Exception {
        Files.writeString(dir.resolve("main.fleet"), FLEET.replace("cpu    = 1 core", "cpu    = 1 core\n    replicas = 4")
                .replace("  stage \"canary\" { zones = [zone.s1] }\n  stage \"rest\"   { approval = manual }\n",
                        "  stage \"first\"  { zones = [zone.s1]  partition = \"25%\" }\n"
                                + "  stage \"canary\" { zones = [zone.s1] }\n"
                                + "  stage \"rest\"   { partition = 2  approval = manual }\n"
                                + "  stage \"last\"   {}\n"));
        assertThat(Files.readString(dir.resolve("main.fleet"))).contains("partition = 2");
        CliRunner.Result created = run("apply", dir.toString(), "--auto-approve", "--approve-stage", "rest");
        assertThat(created.exitCode()).as(created.out() + created.err()).isEqualTo(ExitCode.OK);

        env.put("FLEETFORM_VAR_tag", "v2");
        CliRunner.Result plan = run("plan", dir.toString());
        assertThat(plan.out()).as(plan.out() + plan.err())
                .contains("zone.s1.service.game[0] (test_instance) will be replaced: an image change needs a new instance [stage first")
                .contains("zone.s1.service.game[1] (test_instance) will be replaced: an image change needs a new instance [stage canary")
                .contains("zone.s1.service.game[3] (test_instance) will be replaced: an image change needs a new instance [stage canary")
                .contains("zone.s2.service.game[1] (test_instance) will be replaced: an image change needs a new instance [stage rest")
                .contains("zone.s2.service.game[2] (test_instance) will be replaced: an image change needs a new instance [stage last")
                .contains("zone.s3.service.game[3] (test_instance) will be replaced: an image change needs a new instance [stage last");
        CliRunner.Result partial = run("apply", dir.toString(), "--auto-approve");
        assertThat(partial.exitCode()).as(partial.out() + partial.err()).isEqualTo(ExitCode.ERROR);
        assertThat(partial.out()).contains("== stage first").contains("== stage canary")
                .contains("rollout promote rest");
        assertThat(image("s1")).endsWith("v2");
        assertThat(instanceImage("s1", 3)).endsWith("v2");
        assertThat(instanceImage("s2", 0)).endsWith("v1");

        CliRunner.Result promoted = run("rollout", "promote", "rest", dir.toString(), "--auto-approve");
        assertThat(promoted.exitCode()).as(promoted.out() + promoted.err()).isEqualTo(ExitCode.OK);
        assertThat(promoted.out().indexOf("== stage rest")).isLessThan(promoted.out().indexOf("== stage last"));
        assertThat(instanceImage("s3", 3)).endsWith("v2");
        JsonNode done = status();
        assertThat(done.path("status").asText()).isEqualTo("healthy");
        assertThat(run("plan", dir.toString(), "--detailed-exitcode").exitCode()).isEqualTo(ExitCode.OK);
    }

    private String instanceImage(String zone, int ordinal) throws Exception {
        return JSON.readTree(world.resolve("zone." + zone + ".service.game[" + ordinal + "].json").toFile())
                .path("image").asText();
    }
}
