package io.fleetform.cli.git;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.cli.git.CiRunner.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CI templates under examples/ci, run step by step: the steps each template calls are read
 * from the template itself (so the test follows it), and run, in that order, through the same
 * script against a real repository and the local state backend. The posting steps run with the
 * real curl and jq against {@link ForgeApi}, a loopback server answering GitHub's and GitLab's
 * comment and label calls, to check that comments are updated by their markers (across pages),
 * outdated parts removed, other comments left alone, and labels set and removed.
 */
class CiTemplatesTest {
    private static final String V2 = "z.index == 2 ? image.app2 : image.app";
    private static final String APP2 = "image \"app2\" {\n  name = \"arena/app\"\n  tag  = \"v2\"\n}\n";
    private static final Pattern STEP = Pattern.compile("examples/ci/fleetform-ci\\.sh ([a-z-]+)");

    @TempDir
    Path dir;
    CiRunner ci;
    GitFixture git;
    Path state;

    @BeforeEach
    void runner() throws IOException {
        ci = CiRunner.create(dir);
        ci.env.put("OUT_DIR", dir.resolve("out").toString());
        git = ci.git;
        state = ci.state;
    }

    @Test
    void templatesCallTheStepsInOrder() throws IOException {
        assertThat(steps("github-actions.yml")).containsExactly("pr", "post-github", "merge-github");
        assertThat(steps("gitlab-ci.yml")).containsExactly("pr", "post-gitlab", "merge-gitlab");
        assertThat(Files.readString(CiRunner.CI.resolve("github-actions.yml"))).contains("cancel-in-progress: false")
                .contains("UNTRUSTED: ${{ github.event.pull_request.head.repo.full_name != github.repository }}");
        assertThat(Files.readString(CiRunner.CI.resolve("gitlab-ci.yml"))).contains("resource_group: fleetform-arena");
    }

    @Test
    void githubFlowAppliesExactlyTheReviewedPlanAndStopsForAnUnreviewedOne() throws Exception {
        List<String> steps = steps("github-actions.yml");
        Path out = dir.resolve("out");
        // The first push to main: no reviewed plan, so it re-plans and stops for review.
        Run first = ci.script("merge", Map.of("MAIN_REF", "main"));
        assertThat(first.code()).as(first.output()).isEqualTo(1);
        assertThat(first.output()).contains("no reviewed plan for this commit").contains("stopped: main has changes");
        assertThat(state).exists();
        Run bootstrap = ci.bootstrap();
        assertThat(bootstrap.code()).as(bootstrap.output()).isZero();

        // A pull request: s3 comes, s2 goes.
        git.checkout("feature", true);
        git.write("fleets/arena/zones.fleet", ArenaFleet.zones(3, "1Gi", V2));
        git.write("fleets/arena/images.fleet", APP2);
        String reviewed = git.commit("arena: s2 on v2 (replaced), s3 comes");
        try (ForgeApi github = ForgeApi.start("ghs-test")) {
            // 120 comments of reviewers first, so the step has to read a second page to find its own.
            for (int i = 0; i < 120; i++) {
                github.comment("a reviewer's comment " + i);
            }
            long part1 = github.comment("<!-- fleetform:pr-plan path=fleets/arena part=1 -->\nold");
            long other = github.comment("lgtm");
            long part2 = github.comment("<!-- fleetform:pr-plan path=fleets/arena part=2 -->\nold");
            github.labels.addAll(List.of("fleetform:destroys", "team:arena"));
            Map<String, String> pr = Map.of("BASE_REF", "main", "HEAD_REF", reviewed, "UNTRUSTED", "true", "PR", "7",
                    "GITHUB_REPOSITORY", "games/fleets", "GITHUB_API_URL", github.url(), "GH_TOKEN", "ghs-test");
            reviewAndPost(steps, pr, reviewed, out);
            assertThat(github.comments.get(part1)).isEqualTo(Files.readString(out.resolve("comment.md")));
            assertThat(github.comments).doesNotContainKey(part2).containsEntry(other, "lgtm").hasSize(122);
            assertThat(github.labels).containsExactly("fleetform:needs-approval", "fleetform:replaces", "team:arena");
            assertThat(github.log).anyMatch(l -> l.contains("/issues/7/comments?per_page=100&page=2"))
                    .allMatch(l -> l.endsWith("[Authorization]"));
        }

        mergeAndRefuseAnUpdatedOne(out, reviewed);
    }

    private void reviewAndPost(List<String> steps, Map<String, String> pr, String reviewed, Path out)
            throws IOException, InterruptedException {
        for (String step : steps) {
            if (step.startsWith("merge")) {
                break;
            }
            Run run = ci.script(step, pr);
            assertThat(run.code()).as(step + ": " + run.output()).isZero();
        }
        String comment = Files.readString(out.resolve("comment.md"));
        assertThat(comment).startsWith("<!-- fleetform:pr-plan path=fleets/arena part=1 -->\n")
                .contains("> [!WARNING]").contains("**replace** `zone.s2.service.game[0]`")
                .contains("Head `" + reviewed + "`");
        assertThat(Files.readAllLines(out.resolve("labels.txt"))).containsExactly("fleetform:replaces",
                "fleetform:needs-approval");
        assertThat(out.resolve("plan.json")).exists();
    }

    private void mergeAndRefuseAnUpdatedOne(Path out, String reviewed) throws IOException, InterruptedException {
        // Merged with a merge commit: the reviewed plan applies exactly, and the state says which commit.
        git.checkout("main", false);
        git.merge("feature");
        Run merged = ci.script("merge", Map.of("MAIN_REF", "main", "PLAN_FILE", out.resolve("plan.json").toString(),
                "REVIEWED_REF", "feature", "APPROVE_STAGES", "rest"));
        assertThat(merged.code()).as(merged.output()).isZero();
        assertThat(merged.output()).contains("applied exactly the reviewed plan");
        assertThat(Files.readString(state)).contains("\"commit\" : \"" + reviewed + "\"");

        // Another pull request, updated after its plan was reviewed: refused, re-planned, stopped.
        git.checkout("feature2", true);
        git.write("fleets/arena/zones.fleet", ArenaFleet.zones(3, "2Gi", V2));
        String second = git.commit("arena: more memory");
        Run planned = ci.script("pr", Map.of("BASE_REF", "main", "HEAD_REF", second));
        assertThat(planned.code()).as(planned.output()).isZero();
        git.write("fleets/arena/zones.fleet", ArenaFleet.zones(3, "4Gi", V2));
        git.commit("arena: even more memory, after review");
        git.checkout("main", false);
        git.merge("feature2");
        String before = Files.readString(state);
        Run refused = ci.script("merge", Map.of("MAIN_REF", "main", "PLAN_FILE", out.resolve("plan.json").toString(),
                "REVIEWED_REF", "feature2"));
        assertThat(refused.code()).as(refused.output()).isEqualTo(1);
        assertThat(refused.output()).contains("was made from commit " + second.substring(0, 12))
                .contains("re-planning for review").contains("stopped: main has changes");
        assertThat(Files.readString(state)).isEqualTo(before);
        assertThat(Files.readString(out.resolve("replan.md"))).contains("memory_bytes");
    }

    @Test
    void gitlabPostingUpdatesNotesByMarkerAndSetsLabels() throws Exception {
        git.checkout("feature", true);
        git.write("fleets/arena/zones.fleet", ArenaFleet.zones(3, "1Gi", "image.app"));
        String head = git.commit("arena: s3");
        Run planned = ci.script("pr", Map.of("BASE_REF", "main", "HEAD_REF", head));
        assertThat(planned.code()).as(planned.output()).isZero();
        try (ForgeApi gitlab = ForgeApi.start("glpat-test")) {
            long part1 = gitlab.comment("<!-- fleetform:pr-plan path=fleets/arena part=1 -->\nold");
            long other = gitlab.comment("lgtm");
            long part2 = gitlab.comment("<!-- fleetform:pr-plan path=fleets/arena part=2 -->\nold");
            gitlab.labels.addAll(List.of("fleetform:destroys", "team:arena"));
            Run posted = ci.script("post-gitlab", Map.of("GITLAB_TOKEN", "glpat-test", "CI_API_V4_URL", gitlab.url()
                    + "/api/v4", "CI_PROJECT_ID", "5", "CI_MERGE_REQUEST_IID", "9"));
            assertThat(posted.code()).as(posted.output()).isZero();
            // The comment arrives byte for byte through the form encoding (Markdown is full of & = + and newlines).
            assertThat(gitlab.comments.get(part1)).isEqualTo(Files.readString(dir.resolve("out/comment.md")));
            assertThat(gitlab.comments).doesNotContainKey(part2).containsEntry(other, "lgtm").hasSize(2);
            assertThat(gitlab.labels).containsExactly("fleetform:needs-approval", "team:arena");
            assertThat(gitlab.log).allMatch(l -> l.endsWith("[PRIVATE-TOKEN]"));
        }
    }

    @Test
    void aForkThatRunsCodeGetsACommentSayingWhyAndNothingRuns() throws Exception {
        git.checkout("fork", true);
        Path marker = dir.resolve("ran");
        git.write("fleets/arena/functions/x.groovy", "def motd() { new File('" + marker + "').text = 'ran'; 'hi' }\n");
        git.write("fleets/arena/motd.txt", "unused");
        git.write("fleets/arena/modules/lobby/lobby.fleet", ArenaFleet.LOBBY.replace("file(\"../../motd.txt\")",
                "motd()"));
        String head = git.commit("a fork's change");
        Run run = ci.script("pr", Map.of("BASE_REF", "main", "HEAD_REF", head, "UNTRUSTED", "true"));
        assertThat(run.code()).isEqualTo(1);
        assertThat(Files.readString(dir.resolve("out/comment.md")))
                .startsWith("<!-- fleetform:pr-plan path=fleets/arena part=1 -->\n")
                .contains("is not valid").contains("motd() is not a built-in function");
        assertThat(marker).doesNotExist();
    }

    private List<String> steps(String template) throws IOException {
        Matcher m = STEP.matcher(Files.readString(CiRunner.CI.resolve(template)));
        List<String> steps = new ArrayList<>();
        while (m.find()) {
            steps.add(m.group(1));
        }
        return steps;
    }
}
