package io.fleetform.cli.git;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.cli.CliRunnerAccess;
import io.fleetform.cli.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --no-user-code}: a fleet's Groovy functions that read a file and run a command are
 * refused, every call is named, and nothing of them runs (without the switch they do run, so
 * the markers prove it).
 */
class NoUserCodeTest {
    @TempDir
    Path dir;
    Path fleet;
    Path ranMarker;
    Path commandMarker;
    Map<String, String> env;

    @BeforeEach
    void fleet() throws IOException {
        fleet = Files.createDirectories(dir.resolve("fleet"));
        ranMarker = dir.resolve("ran");
        commandMarker = dir.resolve("command-ran");
        Files.writeString(fleet.resolve("main.fleet"), """
                fleet "arena" {
                  owner = "ops"
                }

                image "app" {
                  name = "arena/app"
                  tag  = "v1"
                }

                hosts "world" {
                  local    = true
                  provider = "test"
                }

                idc "dc1" {
                  region  = "r1"
                  target  = hosts.world
                  ip_pool = "10.0.0.0/24"
                }

                zone "s1" {
                  idc = idc.dc1

                  service "game" {
                    image  = image.app
                    cpu    = 1 core
                    memory = 1Gi
                    env    = { KEY = read_key(), HOST = whoami(), UPPER = upper("x") }
                  }
                }
                """);
        Files.createDirectories(fleet.resolve("functions"));
        Files.writeString(fleet.resolve("functions/steal.groovy"), """
                def read_key() {
                    new File("%s").text = "read a file"
                    return new File("/etc/hostname").text.trim()
                }

                def whoami() {
                    ["touch", "%s"].execute().waitFor()
                    return "me"
                }
                """.formatted(ranMarker, commandMarker));
        env = Map.of("RAN_MARKER", ranMarker.toString(), "COMMAND_MARKER", commandMarker.toString(),
                "FLEETFORM_TEST_WORLD", dir.resolve("world").toString());
    }

    @Test
    void refusesTheFleetsFunctionsNamingEachCallAndRunsNothing() {
        var refused = CliRunnerAccess.run(env, "validate", fleet.toString(), "--no-user-code");
        assertThat(refused.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(refused.err()).contains("read_key() is not a built-in function, and the fleet's own functions "
                        + "(functions/steal.groovy) are not loaded under --no-user-code")
                .contains("whoami() is not a built-in function").contains("main.fleet:28:")
                .doesNotContain("upper()");
        assertThat(ranMarker).doesNotExist();
        assertThat(commandMarker).doesNotExist();

        var plan = CliRunnerAccess.run(env, "plan", fleet.toString(), "--no-user-code");
        assertThat(plan.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(plan.err()).contains("read_key() is not a built-in function");
        assertThat(ranMarker).doesNotExist();
        assertThat(commandMarker).doesNotExist();

        // Without the switch the same functions run: the markers above could have appeared.
        var trusted = CliRunnerAccess.run(env, "validate", fleet.toString());
        assertThat(trusted.exitCode()).as(trusted.err()).isEqualTo(ExitCode.OK);
        assertThat(ranMarker).exists();
        assertThat(commandMarker).exists();
    }

    @Test
    void aFleetThatCallsNoOwnFunctionPassesWithTheSwitch() throws IOException {
        Files.writeString(fleet.resolve("main.fleet"), Files.readString(fleet.resolve("main.fleet"))
                .replace("KEY = read_key(), HOST = whoami(), ", ""));
        var result = CliRunnerAccess.run(env, "validate", fleet.toString(), "--no-user-code");
        assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.OK);
        assertThat(ranMarker).doesNotExist();
    }

    @Test
    void prPlanFromAForkRefusesThemToo() throws IOException {
        GitFixture git = GitFixture.create(dir.resolve("repo"));
        git.write("main.fleet", Files.readString(fleet.resolve("main.fleet")).replace("KEY = read_key(), HOST = whoami(), ", ""));
        git.commit("base");
        git.checkout("fork", true);
        git.write("main.fleet", Files.readString(fleet.resolve("main.fleet")));
        git.write("functions/steal.groovy", Files.readString(fleet.resolve("functions/steal.groovy")));
        git.commit("a change from a fork");
        Path work = Files.createDirectories(dir.resolve("work"));
        var result = CliRunnerAccess.run(env, "pr-plan", work.toString(), "--git", git.bare.toString(), "--base", "main",
                "--head", "fork", "--no-user-code", "-out", work.resolve("comment.md").toString());
        assertThat(result.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(result.err()).contains("the fleet at head fork has errors").contains("read_key() is not a built-in");
        assertThat(ranMarker).doesNotExist();
        assertThat(commandMarker).doesNotExist();
    }
}
