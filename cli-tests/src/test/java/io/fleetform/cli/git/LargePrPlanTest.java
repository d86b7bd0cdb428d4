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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 2,000-zone change (600 zones removed, the other 1,400 resized) as a pull-request comment:
 * split into numbered parts no longer than GitHub takes, each valid Markdown on its own, with
 * every destructive change and every changed resource in exactly one part.
 */
class LargePrPlanTest {
    private static final int ZONES = 2_000;
    private static final int KEPT = 1_400;

    @TempDir
    Path dir;

    @Test
    void splitsIntoValidNumberedPartsAndLeavesNothingOut() throws IOException {
        GitFixture git = GitFixture.create(dir.resolve("repo"));
        ArenaFleet.write(git, "", ZONES, "1Gi");
        git.commit("2,000 zones");
        git.checkout("shrink", true);
        git.write("zones.fleet", ArenaFleet.zones(KEPT, "2Gi", "image.app"));
        git.commit("600 zones go, the rest get more memory");
        Path work = Files.createDirectories(dir.resolve("work"));
        writeState(work.resolve(".fleetform/state.json"));

        Path comment = work.resolve("comment.md");
        // A warning per destroyed instance: 600 policy results, which the split keeps too.
        Path policy = dir.resolve("destroys.policy");
        Files.writeString(policy, """
                warn "destroys" for_each plan.changes as c if c.action == "delete" && c.service != null {
                  message = "${c.address} goes"
                }
                """);
        long started = System.nanoTime();
        var result = CliRunnerAccess.run(Map.of("FLEETFORM_TEST_WORLD", dir.resolve("world").toString()), "pr-plan",
                work.toString(), "--git", git.bare.toString(), "--base", "main", "--head", "shrink", "--refresh=false",
                "-out", comment.toString(), "--labels-file", work.resolve("labels").toString(), "--policy",
                policy.toString());
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertThat(result.exitCode()).as(result.out() + result.err()).isEqualTo(ExitCode.OK);

        List<String> parts = new ArrayList<>();
        for (int k = 1; ; k++) {
            Path file = k == 1 ? comment : work.resolve("comment-" + k + ".md");
            if (!Files.exists(file)) {
                break;
            }
            parts.add(Files.readString(file));
        }
        assertThat(parts.size()).as("parts (took " + millis + " ms)").isGreaterThan(2);
        assertThat(result.out()).contains("in " + parts.size() + " parts");
        StringBuilder all = new StringBuilder();
        for (int k = 1; k <= parts.size(); k++) {
            String part = parts.get(k - 1);
            assertThat(part.length()).isLessThanOrEqualTo(65_536);
            assertThat(part).startsWith("<!-- fleetform:pr-plan path=. part=" + k + " -->\n")
                    .contains("(part " + k + " of " + parts.size() + ")");
            assertValidMarkdown(part, k);
            all.append(part);
        }
        // Destructive changes come first and are all there, each once.
        assertThat(parts.get(0)).contains("> [!WARNING]\n> **Destructive changes: 1200 to destroy.**");
        String text = all.toString();
        for (int z = KEPT + 1; z <= ZONES; z++) {
            assertThat(count(text, "> - **destroy** `zone.s" + z + "` (")).as("zone s" + z).isEqualTo(1);
            assertThat(count(text, "> - **destroy** `zone.s" + z + ".service.game[0]` (")).isEqualTo(1);
        }
        for (int z = KEPT + 1; z <= ZONES; z++) {
            assertThat(count(text, "> - **warn** `destroys`: zone.s" + z + ".service.game\\[0\\] goes")).as("policy, s" + z)
                    .isEqualTo(1);
        }
        // Every change is in the details, once, whichever part it landed in.
        for (int z = 1; z <= ZONES; z++) {
            String line = z <= KEPT ? "!   zone.s" + z + ".service.game[0] (test_instance) will be updated in place\n"
                    : "-   zone.s" + z + ".service.game[0] (test_instance) will be destroyed";
            assertThat(count(text, line)).as("details of zone s" + z).isEqualTo(1);
        }
        assertThat(Files.readAllLines(work.resolve("labels"))).containsExactly("fleetform:destroys",
                "fleetform:needs-approval");

        // A smaller plan later: the parts it no longer needs are removed, so CI sees how many there are.
        var again = CliRunnerAccess.run(Map.of("FLEETFORM_TEST_WORLD", dir.resolve("world").toString()), "pr-plan",
                work.toString(), "--git", git.bare.toString(), "--base", "main", "--head", "main", "--refresh=false",
                "-out", comment.toString(), "--target", "zone.s1");
        assertThat(again.exitCode()).as(again.err()).isEqualTo(ExitCode.OK);
        assertThat(work.resolve("comment-2.md")).doesNotExist();
    }

    /** Balanced details blocks and code fences, no quote or table left open at the end. */
    private static void assertValidMarkdown(String part, int k) {
        assertThat(count(part, "<details>")).as("part " + k + " <details>").isEqualTo(count(part, "</details>"));
        Matcher fences = Pattern.compile("(?m)^```").matcher(part);
        int n = 0;
        while (fences.find()) {
            n++;
        }
        assertThat(n % 2).as("part " + k + " code fences").isZero();
        // Inside a fence nothing opens a block: every <details> is opened outside one.
        boolean inFence = false;
        for (String line : part.split("\n", -1)) {
            if (line.startsWith("```")) {
                inFence = !inFence;
            } else if (inFence) {
                assertThat(line).doesNotStartWith("<details>").doesNotStartWith("</details>");
            }
        }
        assertThat(inFence).isFalse();
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + what.length())) {
            n++;
        }
        return n;
    }

    /** The state after the 2,000 zones were applied, as the test provider records them. */
    private static void writeState(Path file) throws IOException {
        StringBuilder s = new StringBuilder("{\"version\":1,\"lineage\":\"large-test\",\"serial\":3,\"resources\":[");
        for (int z = 1; z <= ZONES; z++) {
            String zone = "zone.s" + z;
            s.append(z == 1 ? "" : ",").append("{\"address\":\"").append(zone).append("\",\"type\":\"test_zone\",")
                    .append("\"provider\":\"test\",\"attributes\":{\"id\":\"").append(zone)
                    .append("\",\"idc\":\"dc1\",\"labels\":{}},\"sensitive\":[],\"depends_on\":[],")
                    .append("\"lifecycle\":{\"prevent_destroy\":false,\"ignore_changes\":[],\"create_before_destroy\":false}}");
            s.append(",{\"address\":\"").append(zone).append(".service.game[0]\",\"type\":\"test_instance\",")
                    .append("\"provider\":\"test\",\"attributes\":{\"cpu_millicores\":1000,\"env\":{\"ZONE\":\"s")
                    .append(z).append("\"},\"id\":\"").append(zone).append(".service.game[0]\",\"image\":\"arena/app:v1\",")
                    .append("\"memory_bytes\":1073741824,\"network\":\"bridge\",\"pinned\":false},\"sensitive\":[],")
                    .append("\"depends_on\":[\"").append(zone).append("\"],")
                    .append("\"lifecycle\":{\"prevent_destroy\":false,\"ignore_changes\":[],\"create_before_destroy\":false}}");
        }
        s.append("],\"outputs\":{}}");
        Files.createDirectories(file.getParent());
        Files.writeString(file, s.toString());
    }
}
