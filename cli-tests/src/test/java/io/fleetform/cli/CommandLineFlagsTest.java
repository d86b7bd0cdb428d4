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
 * Command-line values an audit found accepted silently or answered vaguely: each is a clear error
 * naming the flag or the address, and nothing is planned or changed.
 */
class CommandLineFlagsTest {
    private static final String FLEET = """
            fleet "flags" {
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

            zones "eu" from 1 to 2 as z {
              idc = idc.dc1

              service "game" {
                image    = image.app
                cpu      = 1 core
                memory   = 1Gi
                replicas = 1
              }
            }
            """;

    @TempDir
    Path dir;
    Path world;
    Map<String, String> env;

    @BeforeEach
    void fleet() throws IOException {
        Files.writeString(dir.resolve("main.fleet"), FLEET);
        world = dir.resolve("world");
        env = new HashMap<>(Map.of("FLEETFORM_TEST_WORLD", world.toString()));
    }

    private CliRunner.Result run(String... args) {
        return CliRunner.run(env, args);
    }

    private List<String> worldObjects() throws IOException {
        if (!Files.isDirectory(world)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(world)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList();
        }
    }

    @Test
    void aParallelismOutOfRangeIsAUsageErrorInEveryCommandThatTakesIt() throws IOException {
        String d = dir.toString();
        for (String value : List.of("-1", "0", "1001", "2147483647")) {
            for (String[] command : List.of(new String[] {"plan", d}, new String[] {"apply", d, "--auto-approve"},
                    new String[] {"destroy", d, "--auto-approve"},
                    new String[] {"pr-plan", d, "--base", "main", "--head", "HEAD"})) {
                String[] args = Stream.concat(Stream.of(command), Stream.of("--parallelism", value))
                        .toArray(String[]::new);
                CliRunner.Result result = run(args);
                assertThat(result.exitCode()).as(String.join(" ", args) + "\n" + result.err())
                        .isEqualTo(ExitCode.USAGE);
                assertThat(result.err()).contains("--parallelism must be from 1 to 1000").contains("not " + value)
                        .doesNotContain("Exception");
            }
        }
        assertThat(worldObjects()).isEmpty();
        assertThat(dir.resolve(".fleetform/state.json")).doesNotExist();

        CliRunner.Result one = run("apply", d, "--auto-approve", "--parallelism", "1");
        assertThat(one.exitCode()).as(one.err()).isEqualTo(ExitCode.OK);
        assertThat(run("plan", d, "--parallelism", "1000").exitCode()).isEqualTo(ExitCode.OK);
    }

    @Test
    void planParallelismLimitsTheRefreshReadsAtOnceAsTerraformDoes() throws IOException {
        String d = dir.toString();
        Files.writeString(dir.resolve("main.fleet"), FLEET.replace("from 1 to 2", "from 1 to 4"));
        assertThat(run("apply", d, "--auto-approve").exitCode()).isEqualTo(ExitCode.OK); // 8 resources
        env.put("FLEETFORM_TEST_SLOW_READ_MS", "300");
        Path count = world.resolve("read-concurrency");
        for (int parallelism : List.of(1, 3)) {
            io.fleetform.cli.testprovider.FileWorldProvider.resetReadCount(world);
            CliRunner.Result plan = run("plan", d, "--parallelism", Integer.toString(parallelism));
            assertThat(plan.exitCode()).as(plan.out() + plan.err()).isEqualTo(ExitCode.OK);
            assertThat(plan.out()).contains("No changes");
            int most = Integer.parseInt(Files.readString(count).strip());
            assertThat(most).as("reads at once with --parallelism " + parallelism).isLessThanOrEqualTo(parallelism)
                    .isGreaterThan(parallelism == 1 ? 0 : 1);
        }
        // Without --refresh there is nothing to read.
        Files.delete(count);
        assertThat(run("plan", d, "--refresh=false", "--parallelism", "5").exitCode()).isEqualTo(ExitCode.OK);
        assertThat(count).doesNotExist();
    }

    @Test
    void aResourceAddressThatCannotBeOneIsAUsageMistakeNotABug() throws IOException {
        String d = dir.toString();
        assertThat(run("apply", d, "--auto-approve").exitCode()).isEqualTo(ExitCode.OK);
        String state = Files.readString(dir.resolve(".fleetform/state.json"));
        String first = run("state", "list", "--dir", d).out().lines().findFirst().orElseThrow().strip();
        for (List<String> args : List.of(
                List.of("state", "mv", first, "not an address", "--dir", d),
                List.of("state", "mv", " ", first, "--dir", d),
                List.of("state", "rm", first, "bad addr", "--dir", d),
                List.of("state", "show", "bad addr", "--dir", d),
                List.of("import", "bad addr", "some-id", d))) {
            CliRunner.Result r = run(args.toArray(String[]::new));
            assertThat(r.exitCode()).as(args + ": " + r.out() + r.err()).isEqualTo(ExitCode.USAGE);
            assertThat(r.err()).as(args.toString()).contains("is not a resource address")
                    .doesNotContain("bug in Fleetform").doesNotContain("Exception");
        }
        assertThat(Files.readString(dir.resolve(".fleetform/state.json"))).as("nothing was removed").isEqualTo(state);
    }

    @Test
    void optionsThatContradictEachOtherAreAUsageErrorAndNothingIsPlannedOrChanged() throws IOException {
        String d = dir.toString();
        assertThat(run("apply", d, "--auto-approve").exitCode()).isEqualTo(ExitCode.OK);
        Path saved = dir.resolve("saved.plan");
        assertThat(run("plan", d, "-out", saved.toString()).exitCode()).isEqualTo(ExitCode.OK);
        Files.writeString(dir.resolve("main.fleet"), FLEET.replace("from 1 to 2", "from 1 to 3"));
        String state = Files.readString(dir.resolve(".fleetform/state.json"));
        for (List<String> args : List.of(
                List.of("plan", d, "--refresh-only", "--destroy"),
                List.of("plan", d, "--refresh-only", "--refresh=false"),
                List.of("destroy", d, "--refresh-only", "--auto-approve"),
                List.of("apply", d, "--refresh-only", "--refresh=false", "--auto-approve"),
                List.of("apply", d, "--plan", saved.toString(), "--refresh-only"),
                List.of("apply", d, "--plan", saved.toString(), "--refresh=false"))) {
            CliRunner.Result r = run(args.toArray(String[]::new));
            assertThat(r.exitCode()).as(args + ": " + r.out() + r.err()).isEqualTo(ExitCode.USAGE);
            assertThat(r.err()).as(args.toString()).containsAnyOf("contradict", "would read nothing",
                    "a saved plan applies exactly").doesNotContain("Exception");
            assertThat(r.out()).as(args.toString()).doesNotContain("Plan:");
        }
        assertThat(Files.readString(dir.resolve(".fleetform/state.json"))).isEqualTo(state);
    }

    @Test
    void aTargetThatMatchesNothingIsAnErrorWithTheClosestAddressAndNothingIsPlannedOrChanged() throws IOException {
        String d = dir.toString();
        Path saved = dir.resolve("saved.plan");
        CliRunner.Result typo = run("plan", d, "--target", "zone.ue1", "-out", saved.toString());
        assertThat(typo.exitCode()).as(typo.out() + typo.err()).isEqualTo(ExitCode.ERROR);
        assertThat(typo.err()).contains("--target zone.ue1 matches nothing in the fleet or the state")
                .contains("did you mean zone.eu1?").doesNotContain("Exception");
        assertThat(saved).doesNotExist();

        CliRunner.Result nothingClose = run("apply", d, "--auto-approve", "--target", "zone.eu1", "--target",
                "zone.nope");
        assertThat(nothingClose.exitCode()).as(nothingClose.out() + nothingClose.err()).isEqualTo(ExitCode.ERROR);
        assertThat(nothingClose.err()).contains("--target zone.nope matches nothing").doesNotContain("did you mean")
                .doesNotContain("zone.eu1 matches");
        assertThat(worldObjects()).isEmpty();

        CliRunner.Result glob = run("plan", d, "--target", "zone.x*");
        assertThat(glob.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(glob.err()).contains("--target zone.x* matches nothing");

        // What only the state still records is a target too: its deletion can be planned alone.
        assertThat(run("apply", d, "--auto-approve").exitCode()).isEqualTo(ExitCode.OK);
        Files.writeString(dir.resolve("main.fleet"), FLEET.replace("from 1 to 2", "from 1 to 1"));
        CliRunner.Result gone = run("plan", d, "--target", "zone.eu2");
        assertThat(gone.exitCode()).as(gone.out() + gone.err()).isEqualTo(ExitCode.OK);
        assertThat(gone.out()).contains("to destroy");
    }

    @Test
    void anExcludeThatMatchesNothingIsAnErrorWithTheClosestAddressInEveryCommandThatTakesIt() throws IOException {
        String d = dir.toString();
        io.fleetform.cli.git.GitFixture git = io.fleetform.cli.git.GitFixture.create(dir.resolve("repo"));
        git.write("main.fleet", FLEET);
        git.commit("two zones");
        Path comment = dir.resolve("comment.md");
        for (String[] command : List.of(new String[] {"plan", d}, new String[] {"apply", d, "--auto-approve"},
                new String[] {"destroy", d, "--auto-approve"}, new String[] {"pr-plan", d, "--git",
                        git.bare.toString(), "--base", "main", "--head", "main", "-out", comment.toString()})) {
            String[] args = Stream.concat(Stream.of(command), Stream.of("--exclude", "zone.eu1", "--exclude",
                    "zone.ue2")).toArray(String[]::new);
            CliRunner.Result typo = run(args);
            String all = typo.out() + typo.err();
            assertThat(typo.exitCode()).as(String.join(" ", args) + "\n" + all).isEqualTo(ExitCode.ERROR);
            assertThat(all).contains("--exclude zone.ue2 matches nothing in the fleet or the state")
                    .contains("did you mean zone.eu2?").doesNotContain("zone.eu1 matches").doesNotContain("Exception");
        }
        assertThat(worldObjects()).isEmpty();

        CliRunner.Result glob = run("plan", d, "--exclude", "zone.x*");
        assertThat(glob.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(glob.err()).contains("--exclude zone.x* matches nothing");

        // What only the state still records can be excluded too: its deletion is left for later.
        assertThat(run("apply", d, "--auto-approve").exitCode()).isEqualTo(ExitCode.OK);
        Files.writeString(dir.resolve("main.fleet"), FLEET.replace("from 1 to 2", "from 1 to 1"));
        CliRunner.Result gone = run("plan", d, "--exclude", "zone.eu2*");
        assertThat(gone.exitCode()).as(gone.out() + gone.err()).isEqualTo(ExitCode.OK);
        assertThat(gone.out()).doesNotContain("to destroy").contains("No changes");
    }

    @Test
    void aSavedPlanRefusesTargetsAndExcludesInsteadOfIgnoringThem() throws IOException {
        String d = dir.toString();
        Path saved = dir.resolve("saved.plan");
        assertThat(run("plan", d, "-out", saved.toString()).exitCode()).isEqualTo(ExitCode.OK);
        for (String option : List.of("--exclude", "--target")) {
            CliRunner.Result refused = run("apply", d, "--plan", saved.toString(), option, "zone.eu1");
            assertThat(refused.exitCode()).as(refused.out() + refused.err()).isEqualTo(ExitCode.USAGE);
            assertThat(refused.err()).contains(option + " shapes a new plan").contains("applies exactly");
        }
        assertThat(worldObjects()).isEmpty();
    }

    @Test
    void aProviderAnswerQuotingASecretIsRedactedInTheOutputTheStateAndThePlan() throws IOException {
        String secret = "pw-echoed-Zq81x";
        Files.writeString(dir.resolve("main.fleet"), FLEET.replace("replicas = 1", "replicas = 1\n"
                + "    env      = { TOKEN = secret(\"game-token\") }"));
        env.put("FLEETFORM_SECRET_GAME_TOKEN", secret);
        env.put("FLEETFORM_TEST_FAIL_ECHO", "zone.eu1.service.game*");
        String d = dir.toString();
        Path saved = dir.resolve("saved.plan");
        CliRunner.Result plan = run("plan", d, "-out", saved.toString());
        assertThat(plan.exitCode()).as(plan.err()).isIn(ExitCode.OK, ExitCode.CHANGES);
        CliRunner.Result apply = run("apply", d, "--plan", saved.toString());
        assertThat(apply.exitCode()).as(apply.out() + apply.err()).isEqualTo(ExitCode.ERROR);
        assertThat(apply.out() + apply.err()).contains("test world refused zone.eu1.service.game[0]: invalid config")
                .contains("(sensitive)").doesNotContain(secret);
        CliRunner.Result again = run("apply", d, "--auto-approve");
        assertThat(again.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(again.out() + again.err()).contains("invalid config").doesNotContain(secret);
        assertThat(run("show", d).out()).doesNotContain(secret);
        assertThat(run("rollout", "status", d).out()).doesNotContain(secret);
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).filter(f -> !f.startsWith(world)).toList()) {
                assertThat(Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1)).as(file.toString())
                        .doesNotContain(secret);
            }
        }
    }

    @Test
    void aRefreshFailureQuotingASecretIsRedactedAlsoOneOnlyAnOutputOrARemovedResourceStillUses() throws IOException {
        String kept = "kept-tok3n-Rv27";
        String old = "old-tok3n-Qx95";
        // zone eu2's instance holds a secret no other resource holds; an output uses it too
        Files.writeString(dir.resolve("main.fleet"), FLEET.replace("from 1 to 2", "from 1 to var.zones")
                .replace("replicas = 1", "replicas = 1\n"
                        + "    env      = { TOKEN = z.index == 2 ? secret(\"old-token\") : secret(\"kept-token\") }")
                + """

                variable "zones" {
                  type    = number
                  default = 2
                }

                output "old" {
                  value     = secret("old-token")
                  sensitive = true
                }
                """);
        env.put("FLEETFORM_SECRET_OLD_TOKEN", old);
        env.put("FLEETFORM_SECRET_KEPT_TOKEN", kept);
        String d = dir.toString();
        CliRunner.Result apply = run("apply", d, "--auto-approve");
        assertThat(apply.exitCode()).as(apply.out() + apply.err()).isEqualTo(ExitCode.OK);
        assertThat(Files.readString(world.resolve("zone.eu2.service.game[0].json"))).contains(old);

        // The read of each instance fails with an answer that quotes the object, secrets and all.
        env.put("FLEETFORM_TEST_READ_FAIL_ECHO", "zone.*.service.game*");
        CliRunner.Result desired = run("plan", d);
        assertThat(desired.exitCode()).as(desired.out() + desired.err()).isEqualTo(ExitCode.ERROR);
        assertThat(desired.err()).contains("refreshing zone.eu1.service.game[0] failed: test world cannot read")
                .contains("refreshing zone.eu2.service.game[0] failed").contains("(sensitive)")
                .doesNotContain(kept).doesNotContain(old);

        // eu2 removed: no desired resource holds the old secret any more, but the fleet still reads it.
        CliRunner.Result removed = run("plan", d, "-var", "zones=1", "--json");
        assertThat(removed.exitCode()).as(removed.out() + removed.err()).isEqualTo(ExitCode.ERROR);
        assertThat(removed.err()).contains("refreshing zone.eu2.service.game[0] failed: test world cannot read")
                .contains("(sensitive)");
        CliRunner.Result destroy = run("destroy", d, "--auto-approve");
        assertThat(destroy.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(destroy.err()).contains("refreshing zone.eu2.service.game[0] failed");
        for (CliRunner.Result r : List.of(desired, removed, destroy)) {
            assertThat(r.out() + r.err()).doesNotContain(old).doesNotContain(kept);
        }
    }
}
