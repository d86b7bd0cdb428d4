package io.fleetform.cli.git;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.cli.CliRunnerAccess;
import io.fleetform.cli.ExitCode;
import io.fleetform.engine.testing.GitHttpServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * plan / apply / validate from Git commits (bare repositories over a local path, file:// and a
 * git daemon on loopback), provenance from the plan file to the state, and
 * {@code --require-ref} refusing a branch updated after review.
 */
class GitPlanTest {
    @TempDir
    Path dir;
    GitFixture git;
    Path work;
    Map<String, String> env;
    String first;

    @BeforeEach
    void repository() throws IOException {
        git = GitFixture.create(dir);
        ArenaFleet.write(git, "fleets/arena", 2, "1Gi");
        first = git.commit("arena: two zones");
        work = Files.createDirectories(dir.resolve("work"));
        env = new HashMap<>(Map.of("FLEETFORM_TEST_WORLD", dir.resolve("world").toString()));
    }

    private CliRunnerAccess.Result run(String... args) {
        return CliRunnerAccess.run(env, args);
    }

    @Test
    void plansFromAFileUrlWithoutAWorkingTreeAndRecordsWhereTheFilesCameFrom() throws IOException {
        Path plan = work.resolve("plan.json");
        var result = run("plan", work.toString(), "--git", git.fileUrl(), "--ref", "main", "--path", "fleets/arena",
                "-out", plan.toString(), "--detailed-exitcode");
        assertThat(result.exitCode()).as(result.out() + result.err()).isEqualTo(ExitCode.CHANGES);
        assertThat(result.out()).contains("From " + git.fileUrl())
                .contains("main @ " + first.substring(0, 12)).contains("(fleets/arena) by Ann Reviewer <ann@example.com>")
                .contains("zone.lobby.service.hall[0]").contains("Plan: 6 to add");
        String saved = Files.readString(plan);
        assertThat(saved).contains("\"commit\" : \"" + first + "\"").contains("\"ref\" : \"main\"")
                .contains("\"path\" : \"fleets/arena\"").contains("\"dirty\" : false");
        // The state lives in the local folder given, never in the repository.
        assertThat(work.resolve(".fleetform/state.json")).exists();

        var show = run("show", "--plan", plan.toString());
        assertThat(show.out()).contains("main @ " + first.substring(0, 12));

        var apply = run("apply", work.toString(), "--git", git.fileUrl(), "--ref", "main", "--path", "fleets/arena",
                "--plan", plan.toString(), "--require-ref", "main", "--approve-stage", "rest");
        assertThat(apply.exitCode()).as(apply.out() + apply.err()).isEqualTo(ExitCode.OK);
        String state = Files.readString(work.resolve(".fleetform/state.json"));
        assertThat(state).contains("\"applies\"").contains("\"commit\" : \"" + first + "\"")
                .contains("\"author\" : \"Ann Reviewer <ann@example.com>\"");
        var shown = run("show", work.toString());
        assertThat(shown.out()).contains("last apply (serial 1").contains("from ").contains(first.substring(0, 12));
    }

    @Test
    void requireRefRefusesAPlanWhoseBranchMovedOn() throws IOException {
        git.checkout("feature", true);
        ArenaFleet.write(git, "fleets/arena", 3, "1Gi");
        git.commit("arena: a third zone");
        Path plan = work.resolve("plan.json");
        var planned = run("plan", work.toString(), "--git", git.bare.toString(), "--ref", "feature", "--path",
                "fleets/arena", "-out", plan.toString());
        assertThat(planned.exitCode()).as(planned.err()).isEqualTo(ExitCode.OK);

        // The pull request is updated after the plan was reviewed.
        git.write("fleets/arena/README", "not a fleet file");
        String updated = git.commit("docs");
        var refused = run("apply", work.toString(), "--git", git.bare.toString(), "--ref", "feature", "--path",
                "fleets/arena", "--plan", plan.toString(), "--require-ref", "feature");
        assertThat(refused.exitCode()).isEqualTo(ExitCode.PLAN_REFUSED);
        assertThat(refused.err()).contains("was made from commit").contains("but feature is now at "
                + updated.substring(0, 12)).contains("nothing was changed");
        assertThat(dir.resolve("world")).doesNotExist();
    }

    @Test
    void readsOverAGitDaemonAndModulesAndFilesResolveInsideTheCommit() throws Exception {
        try (GitDaemon daemon = GitDaemon.serve(dir)) {
            var result = run("validate", work.toString(), "--git", daemon.url("fleets.git"), "--ref", first, "--path",
                    "fleets/arena");
            assertThat(result.exitCode()).as(result.out() + result.err()).isEqualTo(ExitCode.OK);
            assertThat(result.out()).contains("The fleet \"arena\" is valid: 3 zones");
        }
        // A file() that climbs out of the commit finds nothing of this machine.
        git.write("fleets/arena/modules/lobby/lobby.fleet", ArenaFleet.LOBBY.replace("../../motd.txt",
                "../../../../../../../../etc/hostname"));
        git.commit("reach out");
        var escaped = run("validate", work.toString(), "--git", git.fileUrl(), "--path", "fleets/arena");
        assertThat(escaped.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(escaped.err()).contains("fleets/arena/modules/lobby/lobby.fleet:").contains("etc/hostname");
    }

    @Test
    void readsOverHttpWithCredentialsThatAreNeverRecorded() throws IOException {
        try (GitHttpServer http = GitHttpServer.serve(dir, "ci", "tok-SECRET-42")) {
            Path plan = work.resolve("plan.json");
            var result = run("plan", work.toString(), "--git", http.url("ci:tok-SECRET-42", "fleets.git"), "--ref",
                    "main", "--path", "fleets/arena", "-out", plan.toString());
            assertThat(result.exitCode()).as(result.out() + result.err()).isEqualTo(ExitCode.OK);
            assertThat(result.out()).contains("From " + http.url(null, "fleets.git") + " main @ "
                    + first.substring(0, 12)).doesNotContain("SECRET");
            assertThat(Files.readString(plan)).contains("\"repository\" : \"" + http.url(null, "fleets.git") + "\"")
                    .doesNotContain("SECRET");

            var refused = run("validate", work.toString(), "--git", http.url("ci:wrong-SECRET-7", "fleets.git"));
            assertThat(refused.exitCode()).isEqualTo(ExitCode.ERROR);
            assertThat(refused.err()).contains("cannot read the repository " + http.url(null, "fleets.git"))
                    .doesNotContain("SECRET");
        }
    }

    @Test
    void aPlanFromADirtyWorkingTreeSaysSo() throws IOException {
        Path fleetDir = git.clone.resolve("fleets/arena");
        var clean = run("plan", fleetDir.toString(), "-out", work.resolve("clean.json").toString());
        assertThat(clean.exitCode()).as(clean.err()).isEqualTo(ExitCode.OK);
        assertThat(clean.out()).contains("main @ " + first.substring(0, 12)).doesNotContain("uncommitted");

        Files.writeString(fleetDir.resolve("zones.fleet"), ArenaFleet.zones(2, "2Gi", "image.app"));
        var dirty = run("plan", fleetDir.toString(), "-out", work.resolve("dirty.json").toString(), "--markdown",
                work.resolve("dirty.md").toString());
        assertThat(Files.readString(work.resolve("dirty.md"))).contains("with uncommitted changes")
                .contains("> Made from a working tree with uncommitted changes");
        assertThat(dirty.out()).contains("with uncommitted changes")
                .contains("Warning: made from a working tree with uncommitted changes");
        assertThat(Files.readString(work.resolve("dirty.json"))).contains("\"dirty\" : true");
    }

    @Test
    void inspectRenderAndGraphReadACommitLikePlan() throws IOException {
        git.checkout("feature", true);
        ArenaFleet.write(git, "fleets/arena", 3, "1Gi");
        String third = git.commit("arena: a third zone");
        // The working tree has moved on to a fourth zone: the commands read the commit, not the files.
        Files.writeString(git.clone.resolve("fleets/arena/zones.fleet"), ArenaFleet.zones(4, "1Gi", "image.app"));
        String[] source = {"--git", git.fileUrl(), "--ref", third, "--path", "fleets/arena"};

        var inspect = run(concat(new String[] {"inspect", work.toString(), "--json"}, source));
        assertThat(inspect.exitCode()).as(inspect.err()).isEqualTo(ExitCode.OK);
        assertThat(inspect.out()).contains("\"s3\"").doesNotContain("\"s4\"");
        var graph = run(concat(new String[] {"graph", work.toString()}, source));
        assertThat(graph.exitCode()).as(graph.err()).isEqualTo(ExitCode.OK);
        assertThat(graph.out()).contains("zone.s3.service.game[0]").doesNotContain("zone.s4");
        var render = run(concat(new String[] {"render", work.toString()}, source));
        assertThat(render.exitCode()).as(render.err()).isEqualTo(ExitCode.OK);

        // The same source options as plan: --no-user-code, and --ref without --git is a usage mistake.
        git.write("fleets/arena/functions/x.groovy", "def motd() { 'hi' }\n");
        git.write("fleets/arena/modules/lobby/lobby.fleet", ArenaFleet.LOBBY.replace("file(\"../../motd.txt\")",
                "motd()"));
        String code = git.commit("a function");
        for (String command : new String[] {"inspect", "render", "graph"}) {
            var refused = run(command, work.toString(), "--git", git.fileUrl(), "--ref", code, "--path", "fleets/arena",
                    "--no-user-code");
            assertThat(refused.exitCode()).as(command).isEqualTo(ExitCode.ERROR);
            assertThat(refused.err()).as(command).contains("motd()").contains("--no-user-code");
            assertThat(run(command, work.toString(), "--ref", "main").exitCode()).as(command).isEqualTo(ExitCode.USAGE);
        }
        assertThat(run("inspect", work.toString(), "--git", git.fileUrl(), "--ref", code, "--path", "fleets/arena")
                .exitCode()).isEqualTo(ExitCode.OK);
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void aMissingRefOrFolderIsAClearError() {
        var ref = run("validate", work.toString(), "--git", git.fileUrl(), "--ref", "nope");
        assertThat(ref.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(ref.err()).contains("has no ref \"nope\"; it has main");
        var path = run("validate", work.toString(), "--git", git.fileUrl(), "--path", "fleets/other");
        assertThat(path.err()).contains("has no folder \"fleets/other\"");
        var usage = run("validate", work.toString(), "--ref", "main");
        assertThat(usage.exitCode()).isEqualTo(ExitCode.USAGE);
    }
}
