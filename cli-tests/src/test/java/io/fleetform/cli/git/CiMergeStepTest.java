package io.fleetform.cli.git;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.cli.git.CiRunner.Run;
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
 * The CI templates' merge steps ({@code fleetform-ci.sh merge-github} / {@code merge-gitlab}) run
 * with the real curl, jq, unzip and git against {@link ForgeApi}, a loopback server answering the
 * GitHub and GitLab API calls those steps make: the merged pull request is found, its newest
 * unexpired plan artifact downloaded (through the redirect to storage that must not see the
 * token), and the saved plan applied exactly; a plan whose pull request was updated after review
 * is refused and re-planned, changing nothing; the policy is read from the target branch.
 */
class CiMergeStepTest {
    private static final String TOKEN = "ghs-" + Long.toHexString(new java.util.Random().nextLong());

    @TempDir
    Path dir;
    CiRunner ci;
    GitFixture git;
    Path state;
    ForgeApi api;

    @BeforeEach
    void runner() throws Exception {
        ci = CiRunner.create(dir);
        git = ci.git;
        state = ci.state;
        Run bootstrap = ci.bootstrap();
        assertThat(bootstrap.code()).as(bootstrap.output()).isZero();
        api = ForgeApi.start(TOKEN);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void githubAppliesTheNewestReviewedArtifactAndRefusesAnUpdatedPullRequest() throws Exception {
        Map<String, String> github = Map.of("GITHUB_API_URL", api.url(), "GH_TOKEN", TOKEN, "GITHUB_REPOSITORY",
                "games/fleets", "APPROVE_STAGES", "rest");
        // Pull request #7 adds s3; the pr job saves its plan, which becomes the artifact fleetform-plan-7.
        String reviewed = pullRequest("feature", "refs/pull/7/head", 3, "1Gi");
        Path out7 = dir.resolve("out7");
        Run planned = ci.script("pr", Map.of("BASE_REF", "main", "HEAD_REF", reviewed, "OUT_DIR", out7.toString()));
        assertThat(planned.code()).as(planned.output()).isZero();
        api.artifact(2, "fleetform-plan-7", "2026-12-01T10:00:00Z", false, out7);
        // An older run's artifact and a newer expired one hold no usable plan: picking either would fail the apply.
        api.artifact(1, "fleetform-plan-7", "2026-11-30T10:00:00Z", false, garbage("old"));
        api.artifact(3, "fleetform-plan-7", "2026-12-02T10:00:00Z", true, garbage("expired"));
        api.artifact(4, "fleetform-plan-70", "2026-12-03T10:00:00Z", false, garbage("another pull request"));
        git.checkout("main", false);
        String merged = git.merge("feature");
        api.pullRequest(merged, 7, reviewed);

        Run applied = ci.script("merge-github", with(github, "MAIN_REF", merged, "OUT_DIR", dir.resolve("apply7").toString()));
        assertThat(applied.code()).as(applied.output()).isZero();
        assertThat(applied.output()).contains(merged + " merged pull request #7").contains("applied exactly the reviewed plan");
        assertThat(Files.readString(state)).contains("\"commit\" : \"" + reviewed + "\"");
        assertThat(dir.resolve("world")).isDirectoryRecursivelyContaining(p -> p.toString().contains("s3"));
        // The token went to the API only, never to the storage the download was redirected to.
        assertThat(api.log).anyMatch(l -> l.startsWith("GET 127.0.0.1:") && l.contains("/commits/" + merged + "/pulls")
                && l.endsWith("[Authorization]"))
                .anyMatch(l -> l.contains("/actions/artifacts?name=fleetform-plan-7&per_page=100"))
                .anyMatch(l -> l.startsWith("GET localhost:") && l.contains("/blob/2?sig=") && !l.contains("[Authorization]"))
                .noneMatch(l -> l.contains("/blob/1") || l.contains("/blob/3") || l.contains("/blob/4"));

        // Pull request #8 is reviewed, then updated; the reviewed plan is refused and nothing changes.
        String second = pullRequest("feature2", "refs/pull/8/head", 3, "2Gi");
        Path out8 = dir.resolve("out8");
        Run planned8 = ci.script("pr", Map.of("BASE_REF", "main", "HEAD_REF", second, "OUT_DIR", out8.toString()));
        assertThat(planned8.code()).as(planned8.output()).isZero();
        api.artifact(5, "fleetform-plan-8", "2026-12-01T11:00:00Z", false, out8);
        git.write("fleets/arena/zones.fleet", ArenaFleet.zones(3, "4Gi", "image.app"));
        String updated = git.commit("arena: even more memory, after review");
        GitFixture.git(git.clone, "push", "-q", "-f", "origin", "HEAD:refs/pull/8/head");
        git.checkout("main", false);
        String merged8 = git.merge("feature2");
        api.pullRequest(merged8, 8, updated);
        String before = Files.readString(state);
        Run refused = ci.script("merge-github", with(github, "MAIN_REF", merged8, "OUT_DIR", dir.resolve("apply8").toString()));
        assertThat(refused.code()).as(refused.output()).isEqualTo(1);
        assertThat(refused.output()).contains("was made from commit " + second.substring(0, 12))
                .contains("but refs/pull/8/head is now at " + updated.substring(0, 12)).contains("re-planning for review")
                .contains("stopped: " + merged8 + " has changes nobody reviewed");
        assertThat(Files.readString(state)).isEqualTo(before);

        // A push that merged no pull request re-plans; a token the API refuses stops before anything.
        git.write("fleets/arena/README", "notes");
        String direct = git.commit("docs, pushed to main");
        Run unreviewed = ci.script("merge-github", with(github, "MAIN_REF", direct, "OUT_DIR", dir.resolve("direct").toString()));
        assertThat(unreviewed.code()).as(unreviewed.output()).isEqualTo(1);
        assertThat(unreviewed.output()).contains("no merged pull request has " + direct).contains("no reviewed plan");
        Run badToken = ci.script("merge-github", with(with(github, "GH_TOKEN", "wrong"), "MAIN_REF", merged));
        assertThat(badToken.code()).isEqualTo(1);
        assertThat(badToken.output()).contains("401").doesNotContain("applied");
        assertThat(Files.readString(state)).isEqualTo(before);
    }

    @Test
    void gitlabAppliesTheMergeRequestsPlanAndReadsThePolicyFromTheTargetBranch() throws Exception {
        Map<String, String> gitlab = Map.of("CI_API_V4_URL", api.url() + "/api/v4", "CI_PROJECT_ID", "5",
                "GITLAB_TOKEN", TOKEN, "APPROVE_STAGES", "rest");
        String reviewed = pullRequest("feature", "refs/merge-requests/9/head", 3, "1Gi");
        Path out = dir.resolve("fleetform-out");
        Run planned = ci.script("pr", Map.of("BASE_REF", "main", "HEAD_REF", reviewed, "OUT_DIR", out.toString()));
        assertThat(planned.code()).as(planned.output()).isZero();
        api.jobArtifacts("refs/merge-requests/9/head", "fleetform:plan", out, "fleetform-out/");
        git.checkout("main", false);
        String merged = git.merge("feature");
        api.mergeRequest(merged, 9, reviewed);

        Run applied = ci.script("merge-gitlab", with(gitlab, "MAIN_REF", merged, "OUT_DIR", dir.resolve("apply").toString()));
        assertThat(applied.code()).as(applied.output()).isZero();
        assertThat(applied.output()).contains(merged + " merged merge request !9").contains("applied exactly the reviewed plan");
        assertThat(Files.readString(state)).contains("\"commit\" : \"" + reviewed + "\"");
        assertThat(api.log).anyMatch(l -> l.contains("/api/v4/projects/5/repository/commits/" + merged + "/merge_requests")
                && l.endsWith("[PRIVATE-TOKEN]"))
                .anyMatch(l -> l.contains("/api/v4/projects/5/jobs/artifacts/refs%2Fmerge-requests%2F9%2Fhead/download"
                        + "?job=fleetform%3Aplan"));

        // The target branch denies destroys; a merge request that drops s2 and, with it, that rule is still denied:
        // its pipeline reads the policy from the target branch, not from its own checkout.
        git.write("policies/arena/arena.policy", """
                deny "no-destroys" for_each plan.changes as c if c.action == "delete" {
                  message = "${c.address} would be destroyed"
                }
                """);
        git.commit("policies: no destroys");
        git.checkout("shrink", true);
        git.write("fleets/arena/zones.fleet", ArenaFleet.zones(1, "1Gi", "image.app"));
        git.write("policies/arena/arena.policy", "warn \"anything\" {\n  message = \"fine\"\n}\n");
        String shrink = git.commit("arena: only s1; and no more policy against it");
        Path denied = dir.resolve("denied");
        Run pr = ci.script("pr", Map.of("BASE_REF", "main", "HEAD_REF", shrink, "OUT_DIR", denied.toString(),
                "POLICY_PATH", "policies/arena", "POLICY_REF", "main"));
        assertThat(pr.code()).as(pr.output()).isEqualTo(1);
        assertThat(Files.readString(denied.resolve("comment.md"))).contains("**deny** `no-destroys`")
                .doesNotContain("`anything`");
        assertThat(Files.readAllLines(denied.resolve("labels.txt"))).contains("fleetform:policy-denied");
        assertThat(denied.resolve("plan.json")).doesNotExist();

        // A mistake in the target branch's policy stops the pipeline at validate, at the rule's place.
        git.checkout("main", false);
        git.write("policies/arena/arena.policy", """
                deny "no-destroys" for_each plan.changes as c if c.acton == "delete" {
                  message = "${c.address} would be destroyed"
                }
                """);
        git.commit("policies: a typo");
        Path broken = dir.resolve("broken");
        Run invalid = ci.script("pr", Map.of("BASE_REF", "main", "HEAD_REF", shrink, "OUT_DIR", broken.toString(),
                "POLICY_PATH", "policies/arena", "POLICY_REF", "main"));
        assertThat(invalid.code()).as(invalid.output()).isEqualTo(1);
        assertThat(Files.readString(broken.resolve("comment.md"))).contains("or the policy is not valid")
                .contains("arena.policy:1:").contains("acton");
        assertThat(broken.resolve("plan.json")).doesNotExist();

        // A merge request whose plan job left no artifacts (404): re-planned, stopped for review.
        git.checkout("main", false);
        git.checkout("other", true);
        git.write("fleets/arena/zones.fleet", ArenaFleet.zones(3, "2Gi", "image.app"));
        String other = git.commit("arena: more memory");
        GitFixture.git(git.clone, "push", "-q", "-f", "origin", "HEAD:refs/merge-requests/10/head");
        git.checkout("main", false);
        String merged10 = git.merge("other");
        api.mergeRequest(merged10, 10, other);
        String before = Files.readString(state);
        Run none = ci.script("merge-gitlab", with(gitlab, "MAIN_REF", merged10, "OUT_DIR", dir.resolve("none").toString()));
        assertThat(none.code()).as(none.output()).isEqualTo(1);
        assertThat(none.output()).contains("merge request !10 has no saved plan").contains("stopped: " + merged10);
        assertThat(Files.readString(state)).isEqualTo(before);
    }

    /** A branch with {@code zones} zones of {@code memory}, pushed also as the forge's pull request ref. */
    private String pullRequest(String branch, String ref, int zones, String memory) throws IOException {
        git.checkout("main", false);
        git.checkout(branch, true);
        git.write("fleets/arena/zones.fleet", ArenaFleet.zones(zones, memory, "image.app"));
        String sha = git.commit("arena: " + branch);
        GitFixture.git(git.clone, "push", "-q", "-f", "origin", "HEAD:" + ref);
        return sha;
    }

    private Path garbage(String what) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("artifact-" + what.replace(' ', '-')));
        Files.writeString(folder.resolve("plan.json"), "{\"not\": \"" + what + "\"}");
        return folder;
    }

    private static Map<String, String> with(Map<String, String> base, String... more) {
        Map<String, String> all = new HashMap<>(base);
        for (int i = 0; i < more.length; i += 2) {
            all.put(more[i], more[i + 1]);
        }
        return all;
    }
}
