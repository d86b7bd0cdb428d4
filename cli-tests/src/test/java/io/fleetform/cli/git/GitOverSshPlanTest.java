package io.fleetform.cli.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fleetform.cli.CliRunnerAccess;
import io.fleetform.cli.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --git ssh://…} end to end against a real sshd on loopback, with a deploy key and
 * known_hosts from {@code FLEETFORM_GIT_SSH_DIR}: plan, apply the saved plan with
 * {@code --require-ref}, pr-plan; an unknown host key is refused, naming the host.
 */
class GitOverSshPlanTest {
    @TempDir
    Path dir;
    GitFixture git;
    Sshd sshd;
    Path work;
    Map<String, String> env;

    @BeforeEach
    void server() throws Exception {
        assumeTrue(Sshd.available(), "needs openssh-server and root (.ci/run installs it; CI runs as root)");
        git = GitFixture.create(dir.resolve("repos"));
        ArenaFleet.write(git, "fleets/arena", 2, "1Gi");
        git.commit("arena: two zones");
        sshd = Sshd.start(dir.resolve("sshd"));
        work = Files.createDirectories(dir.resolve("work"));
        env = new HashMap<>(Map.of("FLEETFORM_TEST_WORLD", dir.resolve("world").toString(), "FLEETFORM_GIT_SSH_DIR",
                sshd.clientDir.toString()));
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (sshd != null) {
            sshd.close();
        }
    }

    private CliRunnerAccess.Result run(String... args) {
        return CliRunnerAccess.run(env, args);
    }

    @Test
    void plansAppliesAndReviewsOverSsh() throws IOException {
        sshd.trust();
        git.checkout("feature", true);
        git.write("fleets/arena/zones.fleet", ArenaFleet.zones(3, "1Gi", "image.app"));
        String head = git.commit("arena: s3");
        String url = sshd.url(git.bare);
        Path plan = work.resolve("plan.json");
        var planned = run("plan", work.toString(), "--git", url, "--ref", "feature", "--path", "fleets/arena", "-out",
                plan.toString());
        assertThat(planned.exitCode()).as(planned.out() + planned.err()).isEqualTo(ExitCode.OK);
        assertThat(planned.out()).contains("From " + url + " feature @ " + head.substring(0, 12));
        var applied = run("apply", work.toString(), "--git", url, "--ref", "feature", "--path", "fleets/arena", "--plan",
                plan.toString(), "--require-ref", "feature", "--approve-stage", "rest");
        assertThat(applied.exitCode()).as(applied.out() + applied.err()).isEqualTo(ExitCode.OK);
        assertThat(Files.readString(work.resolve(".fleetform/state.json"))).contains("\"commit\" : \"" + head + "\"");

        var reviewed = run("pr-plan", work.toString(), "--git", url, "--base", "main", "--head", "feature", "--path",
                "fleets/arena", "-out", work.resolve("comment.md").toString());
        assertThat(reviewed.exitCode()).as(reviewed.out() + reviewed.err()).isEqualTo(ExitCode.OK);
        assertThat(Files.readString(work.resolve("comment.md"))).contains("Head `feature` at `" + head.substring(0, 12));
    }

    @Test
    void anUnknownHostKeyIsRefusedNamingTheHost() {
        var refused = run("validate", work.toString(), "--git", sshd.url(git.bare), "--path", "fleets/arena");
        assertThat(refused.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(refused.err()).contains("cannot read the repository " + sshd.url(git.bare))
                .contains("the ssh host key of 127.0.0.1:" + sshd.port + " is not in " + sshd.clientDir
                        .resolve("known_hosts")).doesNotContain("Exception");
    }
}
