package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet pointed at another fleet's state (a copied state block, the same git {@code fleet} or
 * Kubernetes {@code name}) would plan to destroy everything that fleet made: plan, apply and destroy
 * refuse it, naming both fleets, and change nothing. The state remembers which fleet applied it.
 */
class AnotherFleetsStateTest {
    private static final String FLEET = """
            fleet "NAME" {
              owner = "ops"
            }

            image "app" {
              name = "t/app"
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

            zones "ZONE" from 1 to 2 as z {
              idc = idc.dc1

              service "game" {
                image    = image.app
                cpu      = 1 core
                memory   = 1Gi
              }
            }
            """;

    @TempDir
    Path dir;
    Map<String, String> env;
    List<String> git;

    @BeforeEach
    void fleets() throws Exception {
        for (String name : List.of("alpha", "beta")) {
            Files.createDirectories(dir.resolve(name));
            Files.writeString(dir.resolve(name).resolve("main.fleet"), FLEET.replace("NAME", name)
                    .replace("ZONE", name.substring(0, 1)));
        }
        env = new HashMap<>(Map.of("FLEETFORM_TEST_WORLD", dir.resolve("world").toString()));
        Path bare = dir.resolve("state.git");
        assertThat(new ProcessBuilder("git", "init", "-q", "--bare", bare.toString()).start().waitFor()).isZero();
        // The same settings in both folders: one state, one lock.
        git = List.of("--backend", "git", "-backend-config", "url=file://" + bare, "-backend-config", "fleet=games");
    }

    private CliRunner.Result run(String... args) {
        return CliRunner.run(env, Stream.concat(Stream.of(args), git.stream()).toArray(String[]::new));
    }

    private List<String> world() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("world"))) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void planApplyAndDestroyOfAnotherFleetAgainstTheStateAreRefusedAndChangeNothing() throws IOException {
        CliRunner.Result first = run("apply", dir.resolve("alpha").toString(), "--auto-approve");
        assertThat(first.exitCode()).as(first.err()).isEqualTo(ExitCode.OK);
        List<String> made = world();
        assertThat(made).isNotEmpty();

        for (String command : List.of("plan", "apply", "destroy")) {
            CliRunner.Result refused = command.equals("plan") ? run(command, dir.resolve("beta").toString())
                    : run(command, dir.resolve("beta").toString(), "--auto-approve");
            assertThat(refused.exitCode()).as(command + ": " + refused.out() + refused.err()).isEqualTo(ExitCode.ERROR);
            assertThat(refused.err()).as(command).contains("fleet \"alpha\"").contains("fleet \"beta\"")
                    .doesNotContain("Exception");
            assertThat(world()).as(command + " changed nothing").isEqualTo(made);
        }
        CliRunner.Result own = run("plan", dir.resolve("alpha").toString());
        assertThat(own.exitCode()).as(own.err()).isEqualTo(ExitCode.OK);
        assertThat(own.out()).contains("No changes.");
    }
}
