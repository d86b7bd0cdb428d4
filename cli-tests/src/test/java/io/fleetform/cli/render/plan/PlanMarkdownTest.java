package io.fleetform.cli.render.plan;

import static io.fleetform.cli.render.plan.SamplePlans.attr;
import static io.fleetform.cli.render.plan.SamplePlans.change;
import static io.fleetform.cli.render.plan.SamplePlans.plan;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeout;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.plan.Drift;
import io.fleetform.engine.plan.Plan;
import io.fleetform.engine.plan.PlanMode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PlanMarkdownTest {
    private static final Pattern LEFT_OUT = Pattern.compile(
            "> This comment was cut short to stay under 65,000 characters: the details of (\\d+) of (\\d+) changed "
                    + "resources were left out; the plan was not saved: run `fleetform plan -out FILE`, then "
                    + "`fleetform show --plan FILE`, to see the rest\\.\n$");

    @Test
    void aPullRequestCommentHasCountsTheDestructiveWarningOnTopAndDetailsPerZone() {
        String markdown = PlanMarkdown.render(SamplePlans.representative());

        assertThat(markdown).isEqualTo("""
                ### Fleetform plan for fleet `mmo`

                | To add | To change | To replace | To destroy |
                | ---: | ---: | ---: | ---: |
                | 2 | 1 | 1 | 1 |

                **Plan: 2 to add, 1 to change, 1 to replace, 1 to destroy.**

                > [!WARNING]
                > **Destructive changes: 1 to replace, 1 to destroy.**
                >
                > - **replace** `zone.s12.service.logic[0]` (service): image changes need a new container
                > - **destroy** `zone.s12.service.old[0]` (service): not in the configuration

                **Warnings:**

                - provider docker 2.1 is deprecated

                <details><summary>Fleet-wide: 1 to add</summary>

                ```diff
                +   image.gamesvr (image) will be created: new in the configuration
                      repository: "games/gamesvr"
                      tag: "1.5"
                ```

                </details>

                <details><summary>Zone s2: 1 to change</summary>

                ```diff
                !   zone.s2.service.chat[0] (service) will be updated in place: replicas changed
                      replicas: 2 → 3
                      cpu: 1.5 → 2.25
                ```

                </details>

                <details><summary>Zone s12: 1 to add, 1 to replace, 1 to destroy</summary>

                ```diff
                -/+ zone.s12.service.logic[0] (service) will be replaced: image changes need a new container
                      image: "gamesvr:1.4" → "gamesvr:1.5"  # forces replacement
                      env.DB_PASSWORD: (sensitive) → (sensitive)
                -   zone.s12.service.old[0] (service) will be destroyed: not in the configuration
                      image: "old:1"
                +   zone.s12.service.logic[1] (service) will be created: new in the configuration
                      image: "gamesvr:1.5"
                      ports: [7000, 7001]
                ```

                </details>

                <details><summary>Changes outside Fleetform: 2</summary>

                ```diff
                !   zone.s2.service.chat[0] (service) was changed outside Fleetform
                      replicas: 2 → 4
                -   zone.s2.service.login[0] (service) was deleted outside Fleetform
                ```

                </details>

                <details><summary>Outputs after apply: 2</summary>

                ```
                admin_token = (sensitive)
                lobby_url = "https://lobby.example"
                ```

                </details>
                """);
    }

    @Test
    void changesInPlaceThatRestartAreListedForReviewers() {
        Plan plan = SamplePlans.plan(io.fleetform.engine.plan.PlanMode.NORMAL, java.util.List.of(
                SamplePlans.change("zone.s1.service.game[0]", "host_instance", io.fleetform.engine.plan.Action.UPDATE,
                        "will be recreated (restart, keeps IP, cores and data)", java.util.Set.of(),
                        SamplePlans.attr("image", "g:1", "g:2")),
                SamplePlans.change("zone.s1.service.chat[0]", "service", io.fleetform.engine.plan.Action.UPDATE,
                        "replicas changed", java.util.Set.of(), SamplePlans.attr("replicas", 2L, 3L))),
                java.util.List.of(), java.util.Map.of(), java.util.List.of());

        String markdown = PlanMarkdown.render(plan);

        assertThat(markdown).contains("> **Restarts: 1 changed in place with a restart (players on them are "
                + "disconnected).**").contains("> - `zone.s1.service.game[0]` will be recreated (restart, keeps IP, "
                + "cores and data)").doesNotContain("> - `zone.s1.service.chat[0]`");
    }

    @Test
    void twentyThousandResourcesFitInOneCommentWithEveryReplacementListedAndANoteForTheRest() {
        Plan plan = SamplePlans.large(20_000);

        String markdown = assertTimeout(Duration.ofSeconds(5), () -> PlanMarkdown.render(plan));

        assertThat(markdown.length()).isLessThanOrEqualTo(PlanMarkdown.MAX_LENGTH).isGreaterThan(60_000);
        assertThat(markdown).contains("| 19800 | 0 | 200 | 0 |",
                "**Plan: 19800 to add, 0 to change, 200 to replace, 0 to destroy.**",
                "> **Destructive changes: 200 to replace.**");
        assertThat(markdown.lines().filter(l -> l.startsWith("> - **replace** `zone."))).hasSize(200);
        Matcher note = LEFT_OUT.matcher(markdown);
        assertThat(note.find()).as("closing note in:%n%s", markdown.substring(markdown.length() - 500)).isTrue();
        long shown = markdown.lines().filter(l -> l.startsWith("+   zone.") || l.startsWith("-/+ zone.")).count();
        assertThat(Long.parseLong(note.group(1))).isEqualTo(20_000 - shown);
        assertThat(note.group(2)).isEqualTo("20000");
        assertWellFormed(markdown);
    }

    @Test
    void whenEvenTheDestructiveListIsTooLongItIsCutWithACount() {
        String markdown = PlanMarkdown.render(SamplePlans.destroyAll(20_000));

        assertThat(markdown.length()).isLessThanOrEqualTo(PlanMarkdown.MAX_LENGTH);
        assertThat(markdown).startsWith("### Fleetform destroy plan for fleet `mmo`\n")
                .contains("| 0 | 0 | 0 | 20000 |", "**Destroy plan: 20000 to destroy.**");
        long listed = markdown.lines().filter(l -> l.startsWith("> - **destroy** `zone.")).count();
        assertThat(listed).isGreaterThan(500);
        assertThat(markdown).contains("> - …and " + (20_000 - listed) + " more; the plan was not saved: run "
                + "`fleetform plan -out FILE`, then `fleetform show --plan FILE`, to see them all.\n");
        // When the plan was saved, the note names its file.
        assertThat(PlanMarkdown.render(SamplePlans.destroyAll(20_000), "out/mmo.plan"))
                .contains(" more; run `fleetform show --plan out/mmo.plan` to see them all.\n")
                .endsWith("were left out; run `fleetform show --plan out/mmo.plan` to see the rest.\n");
        assertThat(LEFT_OUT.matcher(markdown).find()).isTrue();
        assertWellFormed(markdown);
    }

    @Test
    void aPlanThatFitsIsNotCut() {
        String markdown = PlanMarkdown.render(SamplePlans.large(100));

        assertThat(markdown).doesNotContain("cut short", "more; run");
        assertThat(markdown.lines().filter(l -> l.startsWith("+   zone.") || l.startsWith("-/+ zone."))).hasSize(100);
        assertWellFormed(markdown);
    }

    @Test
    void textFromTheCloudCannotAddMarkupOrEscapeTheCodeBlock() {
        Plan plan = plan(PlanMode.NORMAL, List.of(change("zone.s1.service.a[0]", "service", Action.DELETE,
                "<img src=x onerror=alert(1)> **gone** [link](http://evil)\n```", Set.of(),
                attr("config", "x".repeat(5_000) + "\n```\n</details>", null))), List.of(), Map.of(), List.of());

        String markdown = PlanMarkdown.render(plan);

        assertThat(markdown).contains("(service): &lt;img src=x onerror=alert(1)&gt; \\*\\*gone\\*\\* "
                + "\\[link\\](http://evil) \\`\\`\\`\n");
        // Raw, the text may only appear inside the diff block, where GitHub shows it as text.
        assertThat(markdown.lines().filter(l -> l.contains("<img"))).singleElement().asString()
                .startsWith("-   zone.s1.service.a[0] (service) will be destroyed: ");
        assertThat(markdown).contains("config: \"" + "x".repeat(199) + "… (4819 more characters)\n```\n");
        assertWellFormed(markdown);
    }

    @Test
    void aRefreshOnlyCommentUnfoldsWhatChangedOutsideFleetform() {
        Plan plan = plan(PlanMode.REFRESH_ONLY, List.of(), List.of(new Drift(ResourceAddress.of("zone.s1.service.a[0]"),
                "service", true, List.of())), Map.of(), List.of());

        assertThat(PlanMarkdown.render(plan)).isEqualTo("""
                ### Fleetform refresh-only plan for fleet `mmo`

                | Changes outside Fleetform |
                | ---: |
                | 1 |

                **Refresh-only plan: 1 change outside Fleetform will be recorded in the state; no infrastructure will \
                change.**

                <details open><summary>Changes outside Fleetform: 1</summary>

                ```diff
                -   zone.s1.service.a[0] (service) was deleted outside Fleetform
                ```

                </details>
                """);
    }

    /** Every folded block and code block that is opened is closed, or the rest of the page is swallowed. */
    private static void assertWellFormed(String markdown) {
        assertThat(count(markdown, "<details")).isEqualTo(count(markdown, "</details>"));
        assertThat(markdown.lines().filter(l -> l.startsWith("```")).count() % 2).isZero();
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
