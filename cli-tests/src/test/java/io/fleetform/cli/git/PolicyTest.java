package io.fleetform.cli.git;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.cli.CliRunnerAccess;
import io.fleetform.cli.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import io.fleetform.cli.render.plan.PolicyMarkdown;
import io.fleetform.engine.plan.PolicyResult;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --policy}: deny and warn rules in {@code *.policy} files checked against real plans of
 * the arena fleet (applied to the file-backed test world): in plan, pr-plan (the comment, the
 * labels, no saved plan) and apply (a saved plan the policy denies changes nothing); mistakes in
 * a policy are errors at their file:line:col.
 */
class PolicyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RULES = """
            # Zones of the canary stage are never destroyed by a change.
            deny "keep-canary" for_each plan.changes as c if c.action == "delete" && c.stage == "canary" {
              message = "${c.address} is in the canary stage and would be destroyed"
            }

            deny "no-destroys-in-dc1" for_each plan.changes as c if c.action == "delete" && c.idc == "dc1" {
              message = "${c.address} would be destroyed in ${c.idc}; removing zones there needs a change window"
            }

            warn "memory-changes" for_each plan.changes as c if c.action == "update" && contains(c.attributes, "memory_bytes") {
              message = "${c.address} changes memory"
            }

            warn "big-change" if plan.add + plan.change + plan.replace + plan.destroy > 3 {
              message = "this change touches ${plan.add + plan.change + plan.replace + plan.destroy} resources"
            }
            """;

    @TempDir
    Path dir;
    GitFixture git;
    Path work;
    Path policy;
    Map<String, String> env;

    @BeforeEach
    void appliedFleet() throws IOException {
        git = GitFixture.create(dir.resolve("repo"));
        ArenaFleet.write(git, "fleets/arena", 3, "1Gi");
        git.commit("arena: three zones");
        work = Files.createDirectories(dir.resolve("work"));
        policy = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policy.resolve("arena.policy"), RULES);
        env = Map.of("FLEETFORM_TEST_WORLD", dir.resolve("world").toString());
        var applied = run("apply", work.toString(), "--git", git.bare.toString(), "--path", "fleets/arena",
                "--auto-approve", "--approve-stage", "rest", "--policy", policy.toString());
        assertThat(applied.exitCode()).as(applied.out() + applied.err()).isEqualTo(ExitCode.OK);
        assertThat(applied.out()).contains("warn big-change: this change touches 8 resources (")
                .contains("policies/arena.policy:14:1)").doesNotContain("deny ");
    }

    private CliRunnerAccess.Result run(String... args) {
        return CliRunnerAccess.run(env, args);
    }

    @Test
    void aDenyRuleFailsPlanAndPrPlanAndNothingIsSaved() throws IOException {
        git.checkout("feature", true);
        git.write("fleets/arena/zones.fleet", ArenaFleet.zones(2, "2Gi", "image.app"));
        String head = git.commit("arena: s3 goes, more memory");
        Path plan = work.resolve("plan.json");

        var planned = run("plan", work.toString(), "--git", git.bare.toString(), "--ref", "feature", "--path",
                "fleets/arena", "--policy", policy.resolve("arena.policy").toString(), "-out", plan.toString(),
                "--labels-file", work.resolve("labels.txt").toString(), "--markdown", work.resolve("plan.md").toString());
        assertThat(planned.exitCode()).as(planned.out() + planned.err()).isEqualTo(ExitCode.ERROR);
        String markdown = Files.readString(work.resolve("plan.md"));
        assertThat(markdown).contains("> **The policy denies this change; it cannot be applied as it is:**")
                .contains("> - **warn** `big-change`").doesNotContain("fleetform show --plan");
        assertThat(planned.out()).contains("Policy: 2 denials, 3 warnings (4 rules checked):")
                .contains("deny no-destroys-in-dc1: zone.s3.service.game[0] would be destroyed in dc1; removing zones "
                        + "there needs a change window (" + policy.resolve("arena.policy") + ":6:1)")
                .contains("deny no-destroys-in-dc1: zone.s3 would be destroyed in dc1")
                .contains("warn memory-changes: zone.s1.service.game[0] changes memory")
                .contains("warn big-change: this change touches 4 resources")
                .doesNotContain("keep-canary");
        assertThat(planned.err()).contains("the policy denies this plan; it was not saved");
        assertThat(plan).doesNotExist();
        assertThat(Files.readAllLines(work.resolve("labels.txt"))).contains("fleetform:destroys",
                "fleetform:policy-denied");

        Path out = work.resolve("out");
        var reviewed = run("pr-plan", work.toString(), "--git", git.bare.toString(), "--base", "main", "--head", head,
                "--path", "fleets/arena", "--policy", policy.toString(), "-out", out.resolve("comment.md").toString(),
                "--plan-out", out.resolve("plan.json").toString(), "--labels-file", out.resolve("labels.txt").toString());
        assertThat(reviewed.exitCode()).as(reviewed.out() + reviewed.err()).isEqualTo(ExitCode.ERROR);
        assertThat(reviewed.err()).contains("the policy denies this change");
        String comment = Files.readString(out.resolve("comment.md"));
        assertThat(comment).contains("> [!CAUTION]\n> **The policy denies this change; it cannot be applied as it is:**")
                .contains("> - **deny** `no-destroys-in-dc1`: zone.s3.service.game\\[0\\] would be destroyed")
                .contains("> - **warn** `memory-changes`");
        // The denial comes before the list of destructive changes: it is what a reviewer must read first.
        assertThat(comment.indexOf("policy denies")).isLessThan(comment.indexOf("Destructive changes"));
        assertThat(out.resolve("plan.json")).doesNotExist();
        assertThat(Files.readAllLines(out.resolve("labels.txt"))).contains("fleetform:policy-denied");
    }

    @Test
    void aSavedPlanThePolicyDeniesIsRefusedAtApplyAndNothingChanges() throws IOException {
        git.checkout("feature", true);
        git.write("fleets/arena/zones.fleet", ArenaFleet.zones(1, "1Gi", "image.app"));
        git.commit("arena: only s1");
        Path plan = work.resolve("plan.json");
        var planned = run("plan", work.toString(), "--git", git.bare.toString(), "--ref", "feature", "--path",
                "fleets/arena", "-out", plan.toString());
        assertThat(planned.exitCode()).as(planned.err()).isEqualTo(ExitCode.OK);
        String world = tree(dir.resolve("world"));

        var refused = run("apply", work.toString(), "--git", git.bare.toString(), "--ref", "feature", "--path",
                "fleets/arena", "--plan", plan.toString(), "--policy", policy.toString());
        assertThat(refused.exitCode()).as(refused.out() + refused.err()).isEqualTo(ExitCode.PLAN_REFUSED);
        assertThat(refused.out()).contains("deny no-destroys-in-dc1: zone.s2.service.game[0]")
                .contains("deny no-destroys-in-dc1: zone.s3.service.game[0]");
        assertThat(refused.err()).contains("the policy denies the saved plan; nothing was changed");
        assertThat(tree(dir.resolve("world"))).isEqualTo(world);

        // Without a rule that fires it applies; only warnings are shown.
        Files.writeString(policy.resolve("arena.policy"), RULES.replace("c.idc == \"dc1\"", "c.idc == \"dc2\""));
        var applied = run("apply", work.toString(), "--git", git.bare.toString(), "--ref", "feature", "--path",
                "fleets/arena", "--plan", plan.toString(), "--policy", policy.toString());
        assertThat(applied.exitCode()).as(applied.out() + applied.err()).isEqualTo(ExitCode.OK);
        assertThat(applied.out()).contains("Policy: 0 denials, 1 warning (4 rules checked):").doesNotContain("deny ");
    }

    @Test
    void theExamplePolicyOfTheCiTemplatesDeniesZoneRemovals() throws IOException {
        Path example = Path.of("..", "examples", "ci", "policies", "arena").toAbsolutePath().normalize();
        git.checkout("feature", true);
        git.write("fleets/arena/zones.fleet", ArenaFleet.zones(2, "1Gi", "image.app"));
        git.commit("arena: s3 goes");
        var planned = run("plan", work.toString(), "--git", git.bare.toString(), "--ref", "feature", "--path",
                "fleets/arena", "--policy", example.toString());
        assertThat(planned.exitCode()).as(planned.out() + planned.err()).isEqualTo(ExitCode.ERROR);
        assertThat(planned.out()).contains("Policy: 1 denial, 0 warnings (4 rules checked):")
                .contains("deny no-zone-removals: zone.s3.service.game[0] would be destroyed");
    }

    @Test
    void mistakesInAPolicyAreErrorsAtTheirPlace() throws IOException {
        Path bad = dir.resolve("bad");
        Files.createDirectories(bad);
        Files.writeString(bad.resolve("syntax.policy"), "deny \"x\" if plan.add > {\n  message = \"m\"\n}\n");
        var syntax = run("plan", work.toString(), "--git", git.bare.toString(), "--path", "fleets/arena", "--policy",
                bad.toString());
        assertThat(syntax.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(syntax.err()).contains(bad.resolve("syntax.policy") + ":1:").contains("^");

        Files.delete(bad.resolve("syntax.policy"));
        Files.writeString(bad.resolve("shape.policy"), """
                deny "no-message" if plan.destroy > 0 {
                }

                warn "when" {
                  when    = plan.add > 0
                  message = "m"
                }

                allow "x" {
                  message = "m"
                }
                """);
        var shape = run("plan", work.toString(), "--git", git.bare.toString(), "--path", "fleets/arena", "--policy",
                bad.toString());
        assertThat(shape.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(shape.err()).contains("shape.policy:1:1").contains("deny \"no-message\" has no message")
                .contains("shape.policy:5:3").contains("unknown attribute \"when\" in a rule")
                .contains("the condition goes in the header").contains("shape.policy:9:1")
                .contains("unknown rule kind \"allow\"").doesNotContain("Exception");

        Files.delete(bad.resolve("shape.policy"));
        Files.writeString(bad.resolve("eval.policy"), """
                deny "typo" for_each plan.changes as c if c.acton == "delete" {
                  message = "m"
                }

                warn "not-bool" if plan.add {
                  message = "m"
                }

                warn "reads-files" {
                  message = file("/etc/hostname")
                }
                """);
        Files.writeString(work.resolve("../repo/clone/fleets/arena/zones.fleet"), ArenaFleet.zones(4, "1Gi", "image.app"));
        git.commit("arena: s4");
        var eval = run("plan", work.toString(), "--git", git.bare.toString(), "--path", "fleets/arena", "--policy",
                bad.toString());
        assertThat(eval.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(eval.err()).contains("eval.policy:1:").contains("acton").contains("eval.policy:5:20")
                .contains("the condition of rule \"not-bool\" must be true or false, found number")
                .contains("eval.policy:10:13").contains("unknown function file()")
                .doesNotContain("Exception");

        // With --json, standard output stays one JSON document; the policy's lines go to standard error.
        Files.writeString(bad.resolve("eval.policy"), "warn \"any\" {\n  message = \"looked\"\n}\n");
        var json = run("plan", work.toString(), "--git", git.bare.toString(), "--path", "fleets/arena", "--policy",
                bad.toString(), "--json");
        assertThat(json.exitCode()).as(json.err()).isEqualTo(ExitCode.OK);
        assertThat(json.out().strip()).startsWith("{").endsWith("}").doesNotContain("Policy:");
        assertThat(json.err()).contains("warn any: looked");

        var missing = run("plan", work.toString(), "--git", git.bare.toString(), "--path", "fleets/arena", "--policy",
                dir.resolve("nope").toString());
        assertThat(missing.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(missing.err()).contains("no policy file or folder " + dir.resolve("nope"));
    }

    @Test
    void fmtLaysOutPolicyFilesLikeFleetFiles() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("messy"));
        Files.writeString(folder.resolve("a.policy"), "warn   \"x\"   {\nmessage=\"m\"\n}\n");
        assertThat(run("fmt", "--check", folder.toString()).exitCode()).isEqualTo(1);
        assertThat(run("fmt", folder.toString()).exitCode()).isEqualTo(ExitCode.OK);
        assertThat(Files.readString(folder.resolve("a.policy"))).isEqualTo("warn \"x\" {\n  message = \"m\"\n}\n");
        assertThat(run("fmt", "--check", policy.toString()).exitCode()).isEqualTo(ExitCode.OK);
    }

    @Test
    void planJsonCarriesEachResultWithItsResourceAndPlaceAndASavedPlanKeepsItsWarnings() throws IOException {
        git.checkout("feature", true);
        git.write("fleets/arena/zones.fleet", ArenaFleet.zones(2, "2Gi", "image.app"));
        git.commit("arena: s3 goes, more memory");
        Path rules = policy.resolve("arena.policy");

        // Denied: the JSON on standard output says which rule fired on which resource, where it is written.
        var denied = run("plan", work.toString(), "--git", git.bare.toString(), "--ref", "feature", "--path",
                "fleets/arena", "--policy", rules.toString(), "--json", "-out", work.resolve("denied.json").toString());
        assertThat(denied.exitCode()).as(denied.err()).isEqualTo(ExitCode.ERROR);
        assertThat(work.resolve("denied.json")).doesNotExist();
        JsonNode found = JSON.readTree(denied.out()).get("policy");
        assertThat(found.get("rules").asInt()).isEqualTo(4);
        List<String> rows = new ArrayList<>();
        found.get("results").forEach(r -> rows.add(r.get("level").asText() + " " + r.get("rule").asText() + " "
                + r.get("address").asText() + " " + r.get("file").asText() + ":" + r.get("line").asInt() + ":"
                + r.get("column").asInt()));
        assertThat(rows).contains("deny no-destroys-in-dc1 zone.s3 " + rules + ":6:1",
                "deny no-destroys-in-dc1 zone.s3.service.game[0] " + rules + ":6:1",
                "warn memory-changes zone.s1.service.game[0] " + rules + ":10:1");
        JsonNode whole = found.get("results").get(found.get("results").size() - 1);
        assertThat(whole.get("rule").asText()).isEqualTo("big-change");
        assertThat(whole.get("address").isNull()).isTrue();
        assertThat(whole.get("message").asText()).isEqualTo("this change touches 4 resources");

        // Only warnings: the saved plan holds them, and show prints them (JSON and text).
        Files.writeString(rules, RULES.replace("c.idc == \"dc1\"", "c.idc == \"dc2\""));
        Path saved = work.resolve("plan.json");
        var warned = run("plan", work.toString(), "--git", git.bare.toString(), "--ref", "feature", "--path",
                "fleets/arena", "--policy", rules.toString(), "-out", saved.toString());
        assertThat(warned.exitCode()).as(warned.out() + warned.err()).isEqualTo(ExitCode.OK);
        var shown = run("show", work.toString(), "--plan", saved.toString(), "--json");
        assertThat(shown.exitCode()).as(shown.err()).isEqualTo(ExitCode.OK);
        JsonNode kept = JSON.readTree(shown.out()).get("policy");
        assertThat(kept.get("rules").asInt()).isEqualTo(4);
        assertThat(kept.get("results")).allSatisfy(r -> assertThat(r.get("level").asText()).isEqualTo("warn"));
        assertThat(kept.get("results").get(0).get("address").asText()).isEqualTo("zone.s1.service.game[0]");
        var text = run("show", work.toString(), "--plan", saved.toString());
        assertThat(text.out()).contains("warn memory-changes: zone.s1.service.game[0] changes memory ("
                + rules + ":10:1)");

        // Without --policy the plan has no "policy" field: not checked is not the same as nothing fired.
        var unchecked = run("plan", work.toString(), "--git", git.bare.toString(), "--ref", "feature", "--path",
                "fleets/arena", "--json");
        assertThat(JSON.readTree(unchecked.out()).has("policy")).isFalse();
    }

    @Test
    void validateChecksPolicyFilesWithoutAPlan() throws IOException {
        var good = run("validate", work.toString(), "--git", git.bare.toString(), "--path", "fleets/arena",
                "--policy", policy.toString());
        assertThat(good.exitCode()).as(good.out() + good.err()).isEqualTo(ExitCode.OK);
        assertThat(good.out()).contains("The policy is valid: 4 rules.");

        // Each mistake is found although the fleet has no change at all for the rules to run on.
        Path bad = Files.createDirectories(dir.resolve("bad"));
        Files.writeString(bad.resolve("eval.policy"), """
                deny "typo" for_each plan.changes as c if c.acton == "delete" {
                  message = "m"
                }

                warn "not-bool" for_each plan.changes as c if c.address {
                  message = "m"
                }

                warn "message-typo" for_each plan.changes as c if c.action == "no-such-action" {
                  message = "${c.adress} changes"
                }

                warn "per-resource" for_each plan.changes as c if c.after.memory_bytes != c.before.memory_bytes {
                  message = "${c.address} changes memory to ${c.after.memory_bytes}"
                }

                warn "counts" if plan.destroi > 0 {
                  message = "m"
                }
                """);
        Path file = bad.resolve("eval.policy");
        var eval = run("validate", work.toString(), "--git", git.bare.toString(), "--path", "fleets/arena",
                "--policy", bad.toString());
        assertThat(eval.exitCode()).as(eval.out() + eval.err()).isEqualTo(ExitCode.ERROR);
        assertThat(eval.err()).contains(file + ":1:").contains("acton")
                .contains(file + ":5:").contains("the condition of rule \"not-bool\" must be true or false, found string")
                .contains(file + ":10:").contains("adress")
                .contains(file + ":17:").contains("destroi")
                .contains("^").doesNotContain(file + ":13:").doesNotContain(file + ":14:")
                .doesNotContain("Exception");
        var json = run("validate", work.toString(), "--git", git.bare.toString(), "--path", "fleets/arena",
                "--policy", file.toString(), "--json");
        assertThat(json.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(json.out()).contains("eval.policy");

        Files.writeString(file, "deny \"x\" if plan.add > {\n  message = \"m\"\n}\n");
        var syntax = run("validate", work.toString(), "--git", git.bare.toString(), "--path", "fleets/arena",
                "--policy", file.toString());
        assertThat(syntax.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(syntax.err()).contains(file + ":1:").contains("^");
    }

    @Test
    void thePolicySectionOfTheShortCommentStaysShortAndSaysWhatItLeftOut() {
        List<PolicyResult> many = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            many.add(new PolicyResult("no-destroys", i % 2 == 0 ? PolicyResult.Level.DENY : PolicyResult.Level.WARN,
                    "zone.s" + i + " would be destroyed", java.util.Optional.of("zone.s" + i), "policies/arena.policy", 1, 1));
        }
        String section = PolicyMarkdown.section(1, many);
        assertThat(section.length()).isLessThanOrEqualTo(PolicyMarkdown.MAX_SECTION);
        assertThat(section).contains("> - **deny** `no-destroys`: zone.s0 would be destroyed")
                .containsPattern("…and \\d+ more deny results; the command's output lists them all");
    }

    private static String tree(Path root) throws IOException {
        StringBuilder s = new StringBuilder();
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted().toList()) {
                s.append(root.relativize(p)).append('\n');
                if (Files.isRegularFile(p)) {
                    s.append(Files.readString(p)).append('\n');
                }
            }
        }
        return s.toString();
    }
}
