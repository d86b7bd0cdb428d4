package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetform.cli.git.GitFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rollout rollback --to} a revision older than the previous one, on the real Docker Engine,
 * for a fleet applied from Git: each run records its commit; three releases later, rollback to the
 * first (named by its commit) puts its command back on every zone, stage by stage, waiting for
 * health; a revision the state does not hold is refused with the ones it does.
 */
class RollbackToDockerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private AgentFleet fleet;
    private GitFixture git;
    private Path work;

    @BeforeAll
    static void image() throws Exception {
        AgentFleet.buildBusyboxImage();
    }

    @BeforeEach
    void setUp() throws Exception {
        fleet = AgentFleet.start(dir, "rb", "10.233", "a-long-enough-rollback-token-0123456789");
        git = GitFixture.create(dir.resolve("git"));
        work = Files.createDirectory(dir.resolve("work"));
    }

    @AfterEach
    void cleanUp() throws Exception {
        run("destroy", work.toString(), "--git", git.fileUrl(), "--ref", "main", "--auto-approve");
        fleet.close();
    }

    private CliRunner.Result run(String... args) {
        return fleet.run(args);
    }

    /** Commits a release whose servers print {@code release} and keep running; returns the commit. */
    private String release(String release) throws Exception {
        git.write("main.fleet", fleet.header() + """
                zones "toy" from 1 to 2 as z {
                  idc = idc.local
                  service "game" {
                    image   = image.toy
                    cpu     = 100m
                    memory  = 32Mi
                    command = ["sh", "-c", "echo %s; trap 'exit 0' TERM; while true; do sleep 1; done"]
                  }
                }
                rollout "default" {
                  stage "canary" { zones = [zone.toy1]  healthy_for = 1s }
                  stage "rest"   { healthy_for = 1s }
                }
                """.formatted(release));
        return git.commit(release);
    }

    private CliRunner.Result apply() {
        return run("apply", work.toString(), "--git", git.fileUrl(), "--ref", "main", "--auto-approve");
    }

    /** {@code zone:release} of each zone's running container. */
    private List<String> releasesRunning() throws Exception {
        List<String> out = new ArrayList<>();
        for (String zone : List.of("toy1", "toy2")) {
            for (JsonNode c : fleet.containers(false)) {
                if (c.at("/Config/Labels/io.fleetform.instance").asText().endsWith("zone." + zone + ".service.game[0]")) {
                    out.add(zone + ":" + c.at("/Config/Cmd/2").asText().replaceAll("echo (\\S+);.*", "$1"));
                }
            }
        }
        return out;
    }

    @Test
    void rollbackToACommitTwoReleasesBackRestoresItOnEveryZone() throws Exception {
        String first = release("r1");
        assertThat(apply().exitCode()).isEqualTo(ExitCode.OK);
        String second = release("r2");
        assertThat(apply().exitCode()).isEqualTo(ExitCode.OK);
        String third = release("r3");
        CliRunner.Result applied = apply();
        assertThat(applied.exitCode()).as(applied.out() + applied.err()).isEqualTo(ExitCode.OK);
        assertThat(releasesRunning()).containsExactly("toy1:r3", "toy2:r3");

        JsonNode status = JSON.readTree(run("rollout", "status", work.toString(), "--json").out());
        assertThat(status.at("/rollout/commit").asText()).isEqualTo(third);
        assertThat(status.at("/rollout/previous_commit").asText()).isEqualTo(second);
        assertThat(status.at("/rollout/earlier_revisions/0/commit").asText()).isEqualTo(first);
        String firstRevision = status.at("/rollout/earlier_revisions/0/revision").asText();
        assertThat(run("rollout", "status", work.toString()).out()).contains("earlier revisions (rollback --to)")
                .contains("commit " + first);

        CliRunner.Result unknown = run("rollout", "rollback", work.toString(), "--git", git.fileUrl(), "--ref",
                "main", "--to", "0123456789ab");
        assertThat(unknown.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(unknown.err()).contains("revision 0123456789ab is not recorded").contains(first.substring(0, 12))
                .contains(second.substring(0, 12));
        assertThat(releasesRunning()).containsExactly("toy1:r3", "toy2:r3");

        CliRunner.Result back = run("rollout", "rollback", work.toString(), "--git", git.fileUrl(), "--ref", "main",
                "--to", first.substring(0, 10));
        assertThat(back.exitCode()).as(back.out() + back.err()).isEqualTo(ExitCode.OK);
        assertThat(back.out()).contains("== stage canary: restored; waiting for 1 resource(s) to be healthy")
                .contains("== stage rest is healthy").contains("Rolled back: 2 resource(s)");
        assertThat(back.out().indexOf("stage canary is healthy")).isLessThan(back.out().indexOf("stage rest:"));
        assertThat(releasesRunning()).containsExactly("toy1:r1", "toy2:r1");

        JsonNode after = JSON.readTree(run("rollout", "status", work.toString(), "--json").out());
        assertThat(after.at("/rollout/status").asText()).isEqualTo("rolled-back");
        assertThat(after.at("/rollout/previous_revision").asText()).isEqualTo(firstRevision);
        assertThat(after.at("/rollout/previous_commit").asText()).isEqualTo(first);
        // apply does not bring r3 back by itself
        CliRunner.Result again = apply();
        assertThat(again.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(again.out()).contains("rolled back");
        assertThat(releasesRunning()).containsExactly("toy1:r1", "toy2:r1");
    }
}
