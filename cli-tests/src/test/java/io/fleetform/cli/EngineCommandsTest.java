package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * plan / apply / destroy / show / output / state / import / graph / force-unlock end to end,
 * through the CLI, with the file-backed test provider standing in for infrastructure.
 */
class EngineCommandsTest {
    private static final String SECRET = "tok-s3cret-value";
    private static final String FLEET = """
            fleet "t" {
              owner = "ops"
            }

            variable "tag" {
              default = "v1"
            }

            variable "zones" {
              type    = number
              default = 2
            }

            variable "memory" {
              type    = size
              default = 1Gi
            }

            image "app" {
              name = "t/app"
              tag  = var.tag
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

            zones "s" from 1 to var.zones as z {
              idc = idc.dc1

              service "game" {
                image    = image.app
                cpu      = 1 core
                memory   = var.memory
                replicas = 2
                env      = { ZONE = z.name, TOKEN = secret("game-token") }
              }
            }

            output "names" {
              value = [for z in zones.s : z.name]
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
        env = new HashMap<>(Map.of("FLEETFORM_TEST_WORLD", world.toString(), "FLEETFORM_SECRET_GAME_TOKEN", SECRET));
    }

    private CliRunner.Result run(String... args) {
        return CliRunner.run(env, args);
    }

    private CliRunner.Result run(List<String> extra, String... args) {
        String[] all = Stream.concat(Stream.of(args), extra.stream()).toArray(String[]::new);
        return CliRunner.run(env, all);
    }

    private List<String> worldObjects() throws IOException {
        if (!Files.isDirectory(world)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(world)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList();
        }
    }

    private String d() {
        return dir.toString();
    }

    @Test
    void aDamagedStateIsAClearErrorNeverABugAndRestoreBackupPutsTheLastGoodOneBack() throws IOException {
        assertThat(run("apply", d(), "--auto-approve").exitCode()).isEqualTo(ExitCode.OK);
        assertThat(run("apply", d(), "--auto-approve", "-var", "memory=2Gi").exitCode()).isEqualTo(ExitCode.OK);
        Path state = dir.resolve(".fleetform/state.json");
        byte[] good = Files.readAllBytes(state);
        for (String damaged : List.of("", "{\"version\": 1, \"lineage\": \"x", "garbage\u0000",
                "{\"version\": 1, \"lineage\": \"x\", \"serial\": \"seven\", \"resources\": []}",
                "{\"version\": 5, \"lineage\": \"x\", \"serial\": 1, \"resources\": []}")) {
            Files.writeString(state, damaged);
            for (String[] command : List.of(new String[] {"plan", d()}, new String[] {"apply", d(), "--auto-approve"},
                    new String[] {"state", "list", "--dir", d()}, new String[] {"output", "--dir", d()})) {
                CliRunner.Result result = run(command);
                assertThat(result.exitCode()).as(String.join(" ", command) + " on " + damaged + ": " + result.err())
                        .isEqualTo(ExitCode.ERROR);
                assertThat(result.err()).contains("error: " + state).contains("fleetform state restore-backup")
                        .doesNotContain("bug in Fleetform");
            }
        }
        CliRunner.Result restore = run("state", "restore-backup", "--dir", d());
        assertThat(restore.exitCode()).as(restore.err()).isEqualTo(ExitCode.OK);
        assertThat(restore.out()).contains("Restored the state to serial");
        assertThat(Files.readAllBytes(state)).isNotEqualTo(good);
        CliRunner.Result plan = run("plan", d(), "-var", "memory=2Gi");
        assertThat(plan.exitCode()).as(plan.err()).isEqualTo(ExitCode.OK);
        assertThat(plan.out()).as("the backup is the state before the last apply").contains("Changes outside Fleetform (4)");
    }

    @Test
    void theGitBackendKeepsEveryApplyAsACommitThatCanBeListedShownAndRestored() throws Exception {
        Path bare = dir.resolve("state.git");
        Process init = new ProcessBuilder("git", "init", "-q", "--bare", bare.toString()).start();
        assertThat(init.waitFor()).isZero();
        List<String> git = List.of("--backend", "git", "-backend-config", "url=file://" + bare);
        assertThat(run(git, "apply", d(), "--auto-approve").exitCode()).isEqualTo(ExitCode.OK);
        CliRunner.Result resize = run(git, "apply", d(), "--auto-approve", "-var", "memory=2Gi");
        assertThat(resize.exitCode()).as(resize.err()).isEqualTo(ExitCode.OK);
        assertThat(dir.resolve(".fleetform/state.json")).doesNotExist();

        CliRunner.Result history = run(git, "state", "history", "--dir", d());
        assertThat(history.exitCode()).as(history.err()).isEqualTo(ExitCode.OK);
        assertThat(history.out()).contains("SERIAL").contains("apply");
        CliRunner.Result old = run(git, "state", "show", "--serial", "1", "--dir", d());
        assertThat(old.exitCode()).as(old.err()).isEqualTo(ExitCode.OK);
        assertThat(old.out()).contains("Serial 1").contains("zone.s1.service.game[0]");
        CliRunner.Result restore = run(git, "state", "restore", "--serial", "1", "--dir", d());
        assertThat(restore.exitCode()).as(restore.err()).isEqualTo(ExitCode.OK);
        assertThat(restore.out()).contains("Restored serial 1 as serial 3");
        CliRunner.Result plan = run(git, "plan", d(), "-var", "memory=2Gi");
        assertThat(plan.out()).contains("Changes outside Fleetform (4)");
        CliRunner.Result typo = run(List.of("--backend", "git", "-backend-config", "urll=x"), "plan", d());
        assertThat(typo.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(typo.err()).contains("backend \"git\" has no setting \"urll\"");
    }

    @Test
    void anEncryptedStateAndSavedPlanAreUnreadableOnDiskAndMigrateToAndFromPlainInOneCommand() throws IOException {
        assertThat(run("apply", d(), "--auto-approve").exitCode()).isEqualTo(ExitCode.OK);
        Path state = dir.resolve(".fleetform/state.json");
        String lineage = new com.fasterxml.jackson.databind.ObjectMapper().readTree(state.toFile()).path("lineage")
                .asText();
        env.put("FLEETFORM_STATE_PASSPHRASE", "staging fleet passphrase 1");

        CliRunner.Result refused = run("plan", d());
        assertThat(refused.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(refused.err()).contains("is not encrypted, but a state key is set").contains("fleetform state encrypt");
        CliRunner.Result encrypt = run("state", "encrypt", "--dir", d());
        assertThat(encrypt.exitCode()).as(encrypt.err()).isEqualTo(ExitCode.OK);
        assertThat(Files.readString(state)).contains("AES-256-GCM").doesNotContain(lineage).doesNotContain("zone.s1");
        assertThat(Files.readString(dir.resolve(".fleetform/state.json.backup"))).as("the backup is encrypted too")
                .contains("AES-256-GCM").doesNotContain("zone.s1");

        Path planFile = dir.resolve("resize.plan");
        CliRunner.Result plan = run("plan", d(), "-var", "zones=3", "-out", planFile.toString());
        assertThat(plan.exitCode()).as(plan.err()).isEqualTo(ExitCode.OK);
        assertThat(Files.readString(planFile)).contains("AES-256-GCM").doesNotContain("zone.s3");
        CliRunner.Result apply = run("apply", d(), "--plan", planFile.toString(), "-var", "zones=3");
        assertThat(apply.exitCode()).as(apply.err()).isEqualTo(ExitCode.OK);

        env.put("FLEETFORM_STATE_PASSPHRASE", "not the right passphrase");
        CliRunner.Result wrong = run("plan", d());
        assertThat(wrong.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(wrong.err()).contains(state.toString()).contains("wrong key?").doesNotContain("bug in Fleetform");

        env.put("FLEETFORM_STATE_PASSPHRASE", "staging fleet passphrase 1");
        CliRunner.Result decrypt = run("state", "decrypt", "--dir", d());
        assertThat(decrypt.exitCode()).as(decrypt.err()).isEqualTo(ExitCode.OK);
        env.remove("FLEETFORM_STATE_PASSPHRASE");
        assertThat(Files.readString(state)).contains(lineage);
        assertThat(run("plan", d(), "-var", "zones=3").out()).contains("No changes.");
    }

    @Test
    void migrateCopiesTheStateToAnotherBackendUnderBothLocksKeepingLineageAndSerial() throws Exception {
        assertThat(run("apply", d(), "--auto-approve").exitCode()).isEqualTo(ExitCode.OK);
        Path local = dir.resolve(".fleetform/state.json");
        var before = new com.fasterxml.jackson.databind.ObjectMapper().readTree(local.toFile());
        Path bare = dir.resolve("state.git");
        assertThat(new ProcessBuilder("git", "init", "-q", "--bare", bare.toString()).start().waitFor()).isZero();

        CliRunner.Result migrate = run("state", "migrate", "--to", "git", "--to-config", "url=file://" + bare, "--dir",
                d());
        assertThat(migrate.exitCode()).as(migrate.err()).isEqualTo(ExitCode.OK);
        assertThat(migrate.out()).contains("lineage " + before.path("lineage").asText())
                .contains("serial " + before.path("serial").asLong());
        List<String> git = List.of("--backend", "git", "-backend-config", "url=file://" + bare);
        CliRunner.Result plan = run(git, "plan", d());
        assertThat(plan.exitCode()).as(plan.err()).isEqualTo(ExitCode.OK);
        assertThat(plan.out()).contains("No changes.");
        CliRunner.Result again = run("state", "migrate", "--to", "git", "--to-config", "url=file://" + bare, "--dir",
                d());
        assertThat(again.exitCode()).as("same serial again is fine: " + again.err()).isEqualTo(ExitCode.OK);
        assertThat(run(git, "apply", d(), "--auto-approve", "-var", "memory=2Gi").exitCode()).isEqualTo(ExitCode.OK);
        CliRunner.Result stale = run("state", "migrate", "--to", "git", "--to-config", "url=file://" + bare, "--dir",
                d());
        assertThat(stale.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(stale.err()).contains("holds a newer serial");
    }

    @Test
    void aStateBlockInTheFleetChoosesTheBackendAndBackendConfigOrTheEnvironmentOverrideItsSettings() throws Exception {
        Path bare = dir.resolve("team-state.git");
        assertThat(new ProcessBuilder("git", "init", "-q", "--bare", bare.toString()).start().waitFor()).isZero();
        Files.writeString(dir.resolve("state.fleet"), "state \"git\" {\n  url    = \"file://" + bare
                + "\"\n  branch = \"from-block\"\n}\n");
        CliRunner.Result apply = run("apply", d(), "--auto-approve");
        assertThat(apply.exitCode()).as(apply.err()).isEqualTo(ExitCode.OK);
        assertThat(dir.resolve(".fleetform/state.json")).doesNotExist();
        String branches = new String(new ProcessBuilder("git", "--git-dir", bare.toString(), "branch").start()
                .getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(branches).contains("from-block");
        assertThat(run("validate", d()).exitCode()).isEqualTo(ExitCode.OK);

        env.put("FLEETFORM_BACKEND_CONFIG_BRANCH", "from-env");
        assertThat(run("plan", d()).out()).as("another branch: another, empty state").contains("Plan: 6 to add");
        assertThat(run("plan", d(), "-backend-config", "branch=from-block").out()).contains("No changes.");
        env.remove("FLEETFORM_BACKEND_CONFIG_BRANCH");

        Files.writeString(dir.resolve("state.fleet"), "state \"git\" {\n  url = var.url\n}\n");
        CliRunner.Result computed = run("plan", d());
        assertThat(computed.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(computed.err()).contains("state.fleet:2:3: state setting \"url\" must be a literal")
                .contains("-backend-config url=");
    }

    @Test
    void planApplyThenPlanAgainShowsNoChanges() throws IOException {
        CliRunner.Result plan = run("plan", d(), "--detailed-exitcode");
        assertThat(plan.exitCode()).as(plan.err()).isEqualTo(ExitCode.CHANGES);
        assertThat(plan.out()).contains("Plan: 6 to add, 0 to change, 0 to replace, 0 to destroy.");
        assertThat(worldObjects()).isEmpty();

        CliRunner.Result apply = run("apply", d(), "--auto-approve");
        assertThat(apply.exitCode()).as(apply.out() + apply.err()).isEqualTo(ExitCode.OK);
        assertThat(apply.out()).contains("zone.s1: creating...").contains("zone.s1: creation complete after")
                .contains("Apply complete! Resources: 6 added, 0 changed, 0 replaced, 0 destroyed.")
                .contains("names = [\"s1\", \"s2\"]");
        assertThat(worldObjects()).containsExactly("zone.s1.json", "zone.s1.service.game[0].json",
                "zone.s1.service.game[1].json", "zone.s2.json", "zone.s2.service.game[0].json",
                "zone.s2.service.game[1].json");
        assertThat(dir.resolve(".fleetform/state.json")).exists();

        CliRunner.Result again = run("plan", d(), "--detailed-exitcode");
        assertThat(again.exitCode()).as(again.out() + again.err()).isEqualTo(ExitCode.OK);
        assertThat(again.out()).contains("No changes.");
    }

    @Test
    void changesAreInPlaceOrReplacementsAndRemovedZonesAreDestroyed() throws IOException {
        assertThat(run("apply", d(), "--auto-approve").exitCode()).isEqualTo(ExitCode.OK);
        CliRunner.Result resize = run("apply", d(), "--auto-approve", "-var", "memory=2Gi");
        assertThat(resize.out()).contains("Resources: 0 added, 4 changed, 0 replaced, 0 destroyed.");
        assertThat(Files.readString(world.resolve("zone.s1.service.game[0].json"))).contains("2147483648");
        CliRunner.Result reimage = run("plan", d(), "-var", "memory=2Gi", "-var", "tag=v2");
        assertThat(reimage.out()).contains("Plan: 0 to add, 0 to change, 4 to replace, 0 to destroy.")
                .contains("forces replacement");
        CliRunner.Result shrink = run("apply", d(), "--auto-approve", "-var", "memory=2Gi", "-var", "zones=1");
        assertThat(shrink.out()).contains("Resources: 0 added, 0 changed, 0 replaced, 3 destroyed.");
        assertThat(worldObjects()).containsExactly("zone.s1.json", "zone.s1.service.game[0].json",
                "zone.s1.service.game[1].json");
        assertThat(shrink.out().indexOf("zone.s2.service.game[0]: destruction complete"))
                .as("instances are destroyed before their zone").isLessThan(
                        shrink.out().indexOf("zone.s2: destruction complete"));
    }

    @Test
    void aFileThatIsNotAPlanIsRefusedLikeAStaleOneAndChangesNothing() throws IOException {
        Path damaged = dir.resolve("damaged.plan");
        Files.writeString(damaged, "{\"format_version\": ");
        CliRunner.Result refused = run("apply", "--plan", damaged.toString(), d());
        assertThat(refused.exitCode()).as(refused.out() + refused.err()).isEqualTo(ExitCode.PLAN_REFUSED);
        assertThat(refused.err()).contains(damaged + " is not a Fleetform plan").contains("nothing was changed")
                .doesNotContain("Exception");
        assertThat(worldObjects()).isEmpty();
    }

    @Test
    void aSavedPlanAppliesExactlyAndAStaleOneIsRefused() throws IOException {
        Path saved = dir.resolve("first.plan");
        assertThat(run("plan", d(), "-out", saved.toString()).exitCode()).isEqualTo(ExitCode.OK);
        Path second = dir.resolve("second.plan");
        assertThat(run("plan", d(), "-out", second.toString()).exitCode()).isEqualTo(ExitCode.OK);
        CliRunner.Result applied = run("apply", "--plan", saved.toString(), d());
        assertThat(applied.exitCode()).as(applied.out() + applied.err()).isEqualTo(ExitCode.OK);
        assertThat(applied.out()).contains("Apply complete! Resources: 6 added");
        CliRunner.Result stale = run("apply", "--plan", second.toString(), d());
        assertThat(stale.exitCode()).isEqualTo(ExitCode.PLAN_REFUSED);
        assertThat(stale.err()).contains("the plan is stale: it was made against state");
        Path third = dir.resolve("third.plan");
        run("plan", d(), "-var", "memory=2Gi", "-out", third.toString());
        CliRunner.Result changedConfig = run("apply", "--plan", third.toString(), d());
        assertThat(changedConfig.err()).contains("the plan is stale: the configuration changed since it was made");
        CliRunner.Result shown = run("show", "--plan", third.toString(), d());
        assertThat(shown.out()).contains("Plan: 0 to add, 4 to change");
    }

    @Test
    void driftIsReportedAndRefreshOnlyRecordsIt() throws IOException {
        assertThat(run("apply", d(), "--auto-approve").exitCode()).isEqualTo(ExitCode.OK);
        Path instance = world.resolve("zone.s1.service.game[0].json");
        Files.writeString(instance, Files.readString(instance).replace("1073741824", "536870912"));
        Files.delete(world.resolve("zone.s2.service.game[1].json"));
        CliRunner.Result plan = run("plan", d());
        assertThat(plan.out()).contains("zone.s1.service.game[0]").contains("Plan: 1 to add, 1 to change");
        CliRunner.Result noRefresh = run("plan", d(), "--refresh=false", "--detailed-exitcode");
        assertThat(noRefresh.exitCode()).isEqualTo(ExitCode.OK);
        CliRunner.Result refreshOnly = run("apply", d(), "--refresh-only", "--auto-approve");
        assertThat(refreshOnly.exitCode()).as(refreshOnly.out() + refreshOnly.err()).isEqualTo(ExitCode.OK);
        CliRunner.Result listed = run("state", "list", "--dir", d());
        assertThat(listed.out()).doesNotContain("zone.s2.service.game[1]").contains("zone.s2.service.game[0]");
        CliRunner.Result converge = run("apply", d(), "--auto-approve");
        assertThat(converge.out()).contains("Resources: 1 added, 1 changed");
    }

    @Test
    void targetsAndExcludesLimitThePlan() {
        CliRunner.Result targeted = run("plan", d(), "--target", "zone.s1");
        assertThat(targeted.out()).contains("Plan: 3 to add").doesNotContain("zone.s2");
        CliRunner.Result excluded = run("plan", d(), "--exclude", "zone.s*.service.game[1]");
        assertThat(excluded.out()).contains("Plan: 4 to add");
    }

    @Test
    void destroyRemovesEverythingAndPreventDestroyIsKeptInTheState() throws IOException {
        Files.writeString(dir.resolve("main.fleet"), FLEET.replace("""
                  idc = idc.dc1
                """, """
                  idc = idc.dc1

                  lifecycle {
                    prevent_destroy = z.index == 1
                  }
                """));
        assertThat(run("apply", d(), "--auto-approve").exitCode()).isEqualTo(ExitCode.OK);
        CliRunner.Result refused = run("plan", d(), "-var", "zones=0");
        assertThat(refused.exitCode()).isEqualTo(ExitCode.ERROR);
        Files.writeString(dir.resolve("main.fleet"), FLEET);
        CliRunner.Result stillRefused = run("plan", d(), "--destroy");
        assertThat(stillRefused.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(stillRefused.err()).contains("zone.s1 would be destroyed, but it has prevent_destroy");
        assertThat(run("state", "rm", "--dir", d(), "zone.s1").exitCode()).isEqualTo(ExitCode.OK);
        CliRunner.Result destroy = run("destroy", d(), "--auto-approve");
        assertThat(destroy.exitCode()).as(destroy.out() + destroy.err()).isEqualTo(ExitCode.OK);
        assertThat(destroy.out()).contains("3 destroyed");
        assertThat(worldObjects()).containsExactly("zone.s1.json", "zone.s1.service.game[0].json",
                "zone.s1.service.game[1].json");
    }

    @Test
    void movedRenamesWithoutDestroying() throws IOException {
        assertThat(run("apply", d(), "--auto-approve").exitCode()).isEqualTo(ExitCode.OK);
        Files.writeString(dir.resolve("main.fleet"), FLEET.replace("zones \"s\" from 1 to var.zones as z {",
                "zones \"s\" from 1 to var.zones as z {\n  name = \"alpha${z.index}\"") + """

                moved {
                  from = zone.s1
                  to   = zone.alpha1
                }

                moved {
                  from = zone.s2
                  to   = zone.alpha2
                }
                """);
        CliRunner.Result plan = run("plan", d());
        assertThat(plan.exitCode()).as(plan.err()).isEqualTo(ExitCode.OK);
        assertThat(plan.out()).contains("0 to add").contains("0 to destroy");
    }

    @Test
    void aFailureStopsOnlyWhatDependsOnItAndARerunConverges() throws IOException {
        env.put("FLEETFORM_TEST_FAIL", "zone.s1");
        CliRunner.Result failed = run("apply", d(), "--auto-approve");
        assertThat(failed.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(failed.out()).contains("zone.s1: creation FAILED after")
                .contains("test world refused zone.s1: injected failure (HTTP 422)")
                .contains("zone.s1.service.game[0]: skipped, something it depends on failed")
                .contains("zone.s2.service.game[1]: creation complete")
                .contains("Apply failed. Resources: 3 added");
        env.remove("FLEETFORM_TEST_FAIL");
        CliRunner.Result rerun = run("apply", d(), "--auto-approve");
        assertThat(rerun.out()).contains("Resources: 3 added");
        assertThat(run("plan", d(), "--detailed-exitcode").exitCode()).isEqualTo(ExitCode.OK);
    }

    @Test
    void transientFailuresAreRetried() {
        env.put("FLEETFORM_TEST_TRANSIENT", "zone.s2");
        env.put("FLEETFORM_PROGRESS_SECONDS", "0.1");
        CliRunner.Result apply = run("apply", d(), "--auto-approve");
        assertThat(apply.exitCode()).as(apply.out()).isEqualTo(ExitCode.OK);
        assertThat(apply.out()).contains("zone.s2: retrying (attempt 2) after: test world busy for zone.s2 (HTTP 503)");
    }

    @Test
    void longOperationsReportThatTheyAreStillWorking() {
        env.put("FLEETFORM_TEST_SLOW_MS", "400");
        env.put("FLEETFORM_PROGRESS_SECONDS", "0.15");
        CliRunner.Result apply = run("apply", d(), "--auto-approve", "--target", "zone.s1", "--parallelism", "1");
        assertThat(apply.out()).containsPattern("zone\\.s1: still creating\\.\\.\\. \\[0\\.\\ds elapsed\\] waiting for "
                + "the test world");
    }

    @Test
    void secretsNeverAppearInOutputPlansOrState() throws IOException {
        Path saved = dir.resolve("p.plan");
        Path comment = dir.resolve("comment.md");
        StringBuilder everything = new StringBuilder();
        for (CliRunner.Result r : List.of(run("plan", d(), "-out", saved.toString(), "--markdown", comment.toString()),
                run("plan", d(), "--json"), run("apply", d(), "--auto-approve"), run("show", d()),
                run("show", d(), "--json"), run("state", "show", "--dir", d(), "zone.s1.service.game[0]"),
                run("output", "--dir", d()))) {
            everything.append(r.out()).append(r.err());
        }
        everything.append(Files.readString(saved)).append(Files.readString(comment))
                .append(Files.readString(dir.resolve(".fleetform/state.json")));
        assertThat(everything.toString()).doesNotContain(SECRET);
        assertThat(everything.toString()).contains("(sensitive)");
        assertThat(Files.readString(world.resolve("zone.s1.service.game[0].json"))).as("the provider gets the secret")
                .contains(SECRET);
    }

    @Test
    void stateCommandsOutputGraphAndImport() throws IOException {
        assertThat(run("apply", d(), "--auto-approve").exitCode()).isEqualTo(ExitCode.OK);
        assertThat(run("state", "list", "--dir", d(), "zone.s2*").out().lines().toList()).containsExactly(
                "zone.s2", "zone.s2.service.game[0]", "zone.s2.service.game[1]");
        assertThat(run("state", "show", "--dir", d(), "zone.s1.service.game[0]").out())
                .contains("memory_bytes = 1073741824").contains("secret_env = (sensitive)");
        assertThat(run("output", "names", "--dir", d()).out()).isEqualTo("[\"s1\", \"s2\"]\n");
        assertThat(run("graph", d()).out()).contains("\"zone.s1\" -> \"zone.s1.service.game[0]\";");
        CliRunner.Result mv = run("state", "mv", "--dir", d(), "zone.s2", "zone.s9");
        assertThat(mv.out()).isEqualTo("Moved 3 resources from zone.s2 to zone.s9.\n");
        assertThat(run("state", "rm", "--dir", d(), "zone.s9").out()).startsWith("Removed 3 resources");
        CliRunner.Result imported = run("import", "zone.s2", "zone.s2", d());
        assertThat(imported.exitCode()).as(imported.err()).isEqualTo(ExitCode.OK);
        assertThat(run("state", "list", "--dir", d()).out()).contains("zone.s2\n");
        assertThat(run("import", "zone.s7", "x", d()).err()).contains("the fleet declares no resource zone.s7");
    }

    @Test
    void aCrashBetweenTwoResourcesLeavesAStateThatReRunsToNoChanges() throws Exception {
        Map<String, String> crashing = new HashMap<>(env);
        crashing.put("FLEETFORM_TEST_CRASH_AFTER", "3");
        Process process = CliProcess.start(dir, crashing, "apply", ".", "--auto-approve", "--parallelism", "1");
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(CliProcess.output(process)).isEqualTo(137);
        // The third change was made but the process died before recording it: only that one is lost.
        assertThat(worldObjects()).hasSize(3);
        assertThat(run("state", "list", "--dir", d()).out().lines()).hasSize(2);
        CliRunner.Result resumed = run("apply", d(), "--auto-approve");
        assertThat(resumed.exitCode()).as(resumed.out() + resumed.err()).isEqualTo(ExitCode.OK);
        assertThat(resumed.out()).contains("Resources: 4 added");
        assertThat(worldObjects()).hasSize(6);
        assertThat(run("plan", d(), "--detailed-exitcode").exitCode()).isEqualTo(ExitCode.OK);
    }

    @Test
    void aCrashMidApplyWithTheGitBackendKeepsTheLockUntilForceUnlockThenConverges() throws Exception {
        Path bare = dir.resolve("state.git");
        assertThat(new ProcessBuilder("git", "init", "-q", "--bare", bare.toString()).start().waitFor()).isZero();
        List<String> git = List.of("--backend", "git", "-backend-config", "url=file://" + bare);
        Map<String, String> crashing = new HashMap<>(env);
        crashing.put("FLEETFORM_TEST_CRASH_AFTER", "3");
        Process process = CliProcess.start(dir, crashing, "apply", ".", "--auto-approve", "--parallelism", "1",
                "--backend", "git", "-backend-config", "url=file://" + bare);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(CliProcess.output(process)).isEqualTo(137);
        assertThat(worldObjects()).hasSize(3);

        CliRunner.Result locked = run(git, "apply", d(), "--auto-approve");
        assertThat(locked.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(locked.err()).contains("refs/fleetform/locks/").contains("stays until");
        java.util.regex.Matcher id = java.util.regex.Pattern.compile("force-unlock (\\S+)").matcher(locked.err());
        assertThat(id.find()).isTrue();
        assertThat(run(git, "force-unlock", id.group(1), "--dir", d()).exitCode()).isEqualTo(ExitCode.OK);
        assertThat(run(git, "state", "list", "--dir", d()).out().lines()).as("the journal kept what finished")
                .hasSize(2);
        CliRunner.Result resumed = run(git, "apply", d(), "--auto-approve");
        assertThat(resumed.exitCode()).as(resumed.out() + resumed.err()).isEqualTo(ExitCode.OK);
        assertThat(resumed.out()).contains("Resources: 4 added");
        assertThat(worldObjects()).hasSize(6);
        assertThat(run(git, "plan", d(), "--detailed-exitcode").exitCode()).isEqualTo(ExitCode.OK);
    }

    @Test
    void twoProcessesContendForTheLockAndForceUnlockNeedsTheId() throws Exception {
        Map<String, String> slow = new HashMap<>(env);
        slow.put("FLEETFORM_TEST_SLOW_MS", "1500");
        Process holder = CliProcess.start(dir, slow, "apply", ".", "--auto-approve", "--parallelism", "1");

        for (int i = 0; i < 600 && !CliProcess.output(holder).contains(": creating..."); i++) {
            Thread.sleep(50); // until it is applying: the lock is held and Ctrl-C handling is armed
        }
        CliRunner.Result blocked = run("plan", d());
        assertThat(blocked.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(blocked.err()).contains("the state is locked: lock").contains("for apply since")
                .contains("fleetform force-unlock");
        assertThat(run("force-unlock", "not-the-id", "--dir", d()).exitCode()).isEqualTo(ExitCode.ERROR);
        holder.destroy();
        holder.waitFor(60, TimeUnit.SECONDS);
        String output = CliProcess.output(holder);
        assertThat(output).contains("Interrupted: finishing the changes in flight and saving the state...");
        assertThat(run("state", "list", "--dir", d()).out().lines().count()).as(output).isGreaterThanOrEqualTo(1);
        CliRunner.Result resumed = run("apply", d(), "--auto-approve");
        assertThat(resumed.exitCode()).as(resumed.out() + resumed.err()).isEqualTo(ExitCode.OK);
        assertThat(run("plan", d(), "--detailed-exitcode").exitCode()).isEqualTo(ExitCode.OK);
    }

    @Test
    void createBeforeDestroyReachesTheProviderAndIgnoredChangesAreNotPlanned() throws IOException {
        Files.writeString(dir.resolve("main.fleet"), FLEET.replace("""
                    env      = { ZONE = z.name, TOKEN = secret("game-token") }
                """, """
                    env      = { ZONE = z.name, MOTD = var.motd, TOKEN = secret("game-token") }

                    lifecycle {
                      create_before_destroy = true
                      ignore_changes        = ["env"]
                    }
                """) + "\nvariable \"motd\" {\n  default = \"hello\"\n}\n");
        assertThat(run("apply", d(), "--auto-approve").exitCode()).isEqualTo(ExitCode.OK);
        CliRunner.Result ignored = run("plan", d(), "-var", "motd=bye", "--detailed-exitcode");
        assertThat(ignored.exitCode()).as(ignored.out()).isEqualTo(ExitCode.OK);
        CliRunner.Result replaced = run("apply", d(), "--auto-approve", "-var", "tag=v2");
        assertThat(replaced.out()).contains("4 replaced");
        assertThat(Files.readString(world.resolve("operations.log")))
                .contains("zone.s1.service.game[0]: created the new one, then destroyed the old one");
    }

    private static final String ROLLOUT = """

            rollout "default" {
              stage "canary" {
                zones = [zone.s1]
                wait  = 1s
              }

              stage "rest" {
                max_parallel = 1
                approval     = manual
              }
            }
            """;

    @Test
    void applyFollowsTheRolloutStagesAndStopsForManualApproval() throws IOException {
        Files.writeString(dir.resolve("main.fleet"), FLEET + ROLLOUT);
        CliRunner.Result first = run("apply", d(), "--auto-approve", "-var", "zones=3");
        assertThat(first.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(first.out()).contains("== stage canary: 1 zone, 3 changes")
                .contains("== stage canary is done; waiting 1.0s before the next stage")
                .contains("== stopped before stage rest: it needs manual approval")
                .contains("Apply stopped before stage rest.");
        assertThat(worldObjects()).containsExactly("zone.s1.json", "zone.s1.service.game[0].json",
                "zone.s1.service.game[1].json");
        CliRunner.Result approved = run("apply", d(), "--auto-approve", "-var", "zones=3", "--approve-stage", "rest");
        assertThat(approved.exitCode()).as(approved.out()).isEqualTo(ExitCode.OK);
        assertThat(approved.out()).contains("== stage rest: 2 zones, 6 changes").contains("Resources: 6 added");
        String out = approved.out();
        int lastS2 = Math.max(out.lastIndexOf("zone.s2.service.game[0]: creation complete"),
                out.lastIndexOf("zone.s2.service.game[1]: creation complete"));
        assertThat(lastS2).as("max_parallel = 1: zone s2 is done before zone s3 starts")
                .isLessThan(out.indexOf("zone.s3: creating..."));
        assertThat(run("plan", d(), "-var", "zones=3", "--detailed-exitcode").exitCode()).isEqualTo(ExitCode.OK);
    }

    @Test
    void aFailedCanaryStopsTheLaterStages() throws IOException {
        Files.writeString(dir.resolve("main.fleet"), FLEET + ROLLOUT.replace("approval     = manual", ""));
        env.put("FLEETFORM_TEST_FAIL", "zone.s1.service.game[1]");
        CliRunner.Result apply = run("apply", d(), "--auto-approve", "-var", "zones=3");
        assertThat(apply.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(apply.out()).contains("zone.s1.service.game[1]: creation FAILED")
                .contains("== stopped before stage rest: stage canary did not become healthy")
                .doesNotContain("zone.s2: creating");
        assertThat(worldObjects()).doesNotContain("zone.s2.json", "zone.s3.json");
        env.remove("FLEETFORM_TEST_FAIL");
        CliRunner.Result fixed = run("apply", d(), "--auto-approve", "-var", "zones=3");
        assertThat(fixed.exitCode()).as(fixed.out()).isEqualTo(ExitCode.OK);
        assertThat(worldObjects()).hasSize(9);
    }

    @Test
    void applyWithoutATerminalRefusesToGuess() {
        CliRunner.Result result = run("apply", d());
        assertThat(result.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(result.err()).contains("use --auto-approve, or plan -out FILE and apply --plan FILE");
        assertThat(world).doesNotExist();
    }
}
