package io.fleetform.cli.git;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.cli.CliRunnerAccess;
import io.fleetform.cli.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code diff} and {@code pr-plan} against goldens, for a change on a branch that adds a zone,
 * removes one, changes memory (in place) and an image (replacement), and moves the canary.
 * Run with {@code -Dgoldens.update=true} to rewrite the goldens after a deliberate change.
 */
class ReviewGoldenTest {
    private static final Path GOLDENS = Path.of("src/test/resources/review");

    @TempDir
    Path dir;
    GitFixture git;
    Path work;
    Map<String, String> env;
    String base;
    String head;

    @BeforeEach
    void branches() throws IOException {
        git = GitFixture.create(dir.resolve("repo"));
        ArenaFleet.write(git, "fleets/arena", 3, "1Gi");
        base = git.commit("arena: three zones");
        git.checkout("feature", true);
        git.write("fleets/arena/zones.fleet", ArenaFleet.zones(2, "2Gi", "z.index == 2 ? image.app2 : image.app") + """

                zone "s4" {
                  idc = idc.dc2

                  service "game" {
                    image  = image.app
                    cpu    = 1 core
                    memory = 1Gi
                  }
                }

                image "app2" {
                  name = "arena/app"
                  tag  = "v2"
                }
                """);
        git.write("fleets/arena/main.fleet", ArenaFleet.COMMON.replace("zones = [zone.s1]", "zones = [zone.s2]"));
        head = git.commit("arena: s3 goes, s4 comes, s2 on v2, more memory");
        work = Files.createDirectories(dir.resolve("work"));
        env = new HashMap<>(Map.of("FLEETFORM_TEST_WORLD", dir.resolve("world").toString()));
    }

    private CliRunnerAccess.Result run(String... args) {
        return CliRunnerAccess.run(env, args);
    }

    @Test
    void diffShowsWhatTheChangeDoesToTheDesiredFleet() throws IOException {
        var diff = run("diff", "--git", git.fileUrl(), "--base", "main", "--head", "feature", "--path", "fleets/arena",
                "--detailed-exitcode");
        assertThat(diff.exitCode()).as(diff.err()).isEqualTo(ExitCode.CHANGES);
        golden("diff.txt", normalise(diff.out()));
        var same = run("diff", "--git", git.fileUrl(), "--base", "main", "--head", "main", "--path", "fleets/arena",
                "--detailed-exitcode");
        assertThat(same.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(same.out()).contains("no changes to the desired fleet");
    }

    @Test
    void aPlanRefusedByPreventDestroyStillGetsACommentSayingWhy() throws IOException {
        git.checkout("main", false);
        git.checkout("protected", true);
        git.write("fleets/arena/zones.fleet", ArenaFleet.zones(3, "1Gi", "image.app").replace("  idc = idc.dc1\n",
                "  idc = idc.dc1\n\n  lifecycle {\n    prevent_destroy = z.index == 3\n  }\n"));
        git.commit("protect s3");
        var applied = run("apply", work.toString(), "--git", git.fileUrl(), "--ref", "protected", "--path",
                "fleets/arena", "--auto-approve", "--approve-stage", "rest");
        assertThat(applied.exitCode()).as(applied.out() + applied.err()).isEqualTo(ExitCode.OK);
        git.checkout("drop-s3", true);
        git.write("fleets/arena/zones.fleet", ArenaFleet.zones(2, "1Gi", "image.app"));
        git.commit("drop s3");
        Path comment = work.resolve("comment.md");
        var pr = run("pr-plan", work.toString(), "--git", git.fileUrl(), "--base", "protected", "--head", "drop-s3",
                "--path", "fleets/arena", "-out", comment.toString(), "--plan-out", work.resolve("plan.json").toString());
        assertThat(pr.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(pr.err()).contains("the plan failed; the comment says why");
        assertThat(Files.readString(comment)).contains("> [!CAUTION]")
                .contains("> - zone.s3 would be destroyed, but it has prevent\\_destroy");
        assertThat(work.resolve("plan.json")).doesNotExist();
    }

    @Test
    void secretsInTheDiffAreShownAsSensitiveNeverAsThemselves() throws IOException {
        git.checkout("main", false);
        git.checkout("secret", true);
        git.write("fleets/arena/zones.fleet", ArenaFleet.zones(3, "1Gi", "image.app")
                .replace("env      = { ZONE = z.name }", "env      = { ZONE = z.name, TOKEN = secret(\"old\") }"));
        git.commit("a token");
        git.checkout("rotate", true);
        git.write("fleets/arena/zones.fleet", ArenaFleet.zones(3, "1Gi", "image.app")
                .replace("env      = { ZONE = z.name }", "env      = { ZONE = z.name, TOKEN = secret(\"new\") }"));
        git.commit("another token");
        env.put("FLEETFORM_SECRET_OLD", "old-s3cret-value");
        env.put("FLEETFORM_SECRET_NEW", "new-s3cret-value");
        var diff = run("diff", "--git", git.fileUrl(), "--base", "secret", "--head", "rotate", "--path", "fleets/arena");
        assertThat(diff.exitCode()).as(diff.err()).isEqualTo(ExitCode.OK);
        assertThat(diff.out()).contains("env.TOKEN: (sensitive) → (sensitive)").doesNotContain("s3cret")
                .doesNotContain("sensitive:");
    }

    @Test
    void aChangeThatAddsAFleetDiffsAgainstNothing() throws IOException {
        git.checkout("new-fleet", true);
        ArenaFleet.write(git, "fleets/duel", 1, "1Gi");
        git.commit("a new fleet");
        var diff = run("diff", "--git", git.fileUrl(), "--base", "main", "--head", "new-fleet", "--path", "fleets/duel");
        assertThat(diff.exitCode()).as(diff.err()).isEqualTo(ExitCode.OK);
        assertThat(diff.out()).contains(", no fleet yet) → new-fleet").contains("+ zone s1 (idc = dc1; services: game)")
                .contains("+ zone lobby").contains("2 zones added");
    }

    @Test
    void prPlanWritesTheCommentTheLabelsAndThePlan() throws IOException {
        var applied = run("apply", work.toString(), "--git", git.fileUrl(), "--ref", "main", "--path", "fleets/arena",
                "--auto-approve", "--approve-stage", "rest");
        assertThat(applied.exitCode()).as(applied.out() + applied.err()).isEqualTo(ExitCode.OK);

        Path comment = work.resolve("comment.md");
        Path labels = work.resolve("labels.txt");
        Path plan = work.resolve("plan.json");
        var pr = run("pr-plan", work.toString(), "--git", git.fileUrl(), "--base", "main", "--head", "feature",
                "--path", "fleets/arena", "-out", comment.toString(), "--labels-file", labels.toString(), "--plan-out",
                plan.toString(), "--detailed-exitcode");
        assertThat(pr.exitCode()).as(pr.out() + pr.err()).isEqualTo(ExitCode.CHANGES);
        assertThat(pr.out()).contains("Wrote the comment: " + comment);
        golden("pr-plan.md", normalise(Files.readString(comment)));
        assertThat(Files.readAllLines(labels)).containsExactly("fleetform:destroys", "fleetform:replaces",
                "fleetform:needs-approval");
        assertThat(Files.readString(plan)).contains("\"commit\" : \"" + head + "\"").contains("\"ref\" : \"feature\"");
        assertThat(work.resolve("comment-2.md")).doesNotExist();

        // The saved plan applies exactly, while feature's head is still the reviewed commit.
        var apply = run("apply", work.toString(), "--git", git.fileUrl(), "--ref", "feature", "--path", "fleets/arena",
                "--plan", plan.toString(), "--require-ref", "feature", "--approve-stage", "rest");
        assertThat(apply.exitCode()).as(apply.out() + apply.err()).isEqualTo(ExitCode.OK);
        assertThat(apply.out()).contains("Resources: 2 added, 1 changed, 1 replaced, 2 destroyed");
    }

    /** Commit SHAs and temporary folders differ from run to run. */
    private String normalise(String text) {
        return text.replace(base, "<base-sha>").replace(head, "<head-sha>").replace(base.substring(0, 12), "<base>")
                .replace(head.substring(0, 12), "<head>").replace(git.fileUrl(), "<repo>");
    }

    static void golden(String name, String actual) throws IOException {
        Path file = GOLDENS.resolve(name);
        if (Boolean.getBoolean("goldens.update") || !Files.exists(file)) {
            Files.createDirectories(file.getParent());
            Files.writeString(file, actual);
        }
        assertThat(actual).as("golden " + file + " (run with -Dgoldens.update=true after a deliberate change)")
                .isEqualTo(Files.readString(file));
    }
}
