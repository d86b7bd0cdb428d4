package io.fleetform.cli.render.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.diff.FleetDiff;
import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.plan.AttributeChange;
import io.fleetform.engine.plan.Plan;
import io.fleetform.engine.plan.PlanMode;
import io.fleetform.engine.plan.PolicyResult;
import io.fleetform.engine.plan.ResourceChange;
import io.fleetform.engine.resource.ResourceLifecycle;
import io.fleetform.engine.state.Provenance;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pull-request comment's sections that need no repository: placement moves, refusals, splitting. */
class PrCommentTest {
    private static final Provenance HEAD = new Provenance("r", "b".repeat(40), "feature", "Ann <a@x>", "", false);
    private static final Provenance BASE = new Provenance("r", "a".repeat(40), "main", "Ann <a@x>", "", false);
    private static final Fleet FLEET = new Fleet("mt2", "ops", Map.of(), Map.of(), List.of(), List.of(), List.of(),
            List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), SourceSpan.NONE);

    @Test
    void placementMovesAreCalledOutAndProtectedResourcesListed() {
        ResourceChange moved = change("zone.s1.service.logic[0]", Action.REPLACE, List.of(
                new AttributeChange("host", "h1", "h2", false, true),
                new AttributeChange("cores", "0-3", "4-7", false, false),
                new AttributeChange("ip", "10.0.0.5", "10.0.0.9", false, false)), true);
        String comment = one(plan(List.of(moved)), List.of());
        assertThat(comment).contains("> [!IMPORTANT]\n> **Placement moves: 1 instance change host, cores or IP.**")
                .contains("| `zone.s1.service.logic[0]` | h1 → h2 |  | 0-3 → 4-7 | 10.0.0.5 → 10.0.0.9 |")
                .contains("**Changes to resources with `prevent_destroy`**")
                .contains("- `zone.s1.service.logic[0]` will be replaced");
    }

    @Test
    void aRefusedPlanSaysWhyFirst() {
        String comment = one(plan(List.of()), List.of("zone.s1 would be destroyed, but it has prevent_destroy (put the "
                + "block back)"));
        assertThat(comment.indexOf("> [!CAUTION]")).isPositive().isLessThan(comment.indexOf("Desired fleet:") + 200);
        assertThat(comment).contains("> - zone.s1 would be destroyed, but it has prevent\\_destroy (put the block back)");
    }

    @Test
    void aLongSectionContinuesInTheNextPartReopened() {
        List<ResourceChange> changes = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            changes.add(change("zone.s" + i + ".service.logic[0]", Action.DELETE, List.of(), false));
        }
        List<String> parts = PrComment.render(input(plan(changes), List.of()), 8_000);
        assertThat(parts.size()).isGreaterThan(3);
        StringBuilder all = new StringBuilder();
        for (int k = 1; k <= parts.size(); k++) {
            String part = parts.get(k - 1);
            assertThat(part.length()).isLessThanOrEqualTo(8_000);
            assertThat(part).startsWith(PrComment.marker("", k) + "\n")
                    .contains("(part " + k + " of " + parts.size() + ")");
            all.append(part);
        }
        assertThat(parts.get(1)).contains("> [!WARNING]\n> **Destructive changes (continued):**");
        for (int i = 0; i < 400; i++) {
            assertThat(all.toString()).contains("> - **destroy** `zone.s" + i + ".service.logic[0]` (");
        }
    }

    @Test
    void aRuleFiringOnManyResourcesOrWithAHugeMessageStaysInTheCommentBudgetWithEveryDenial() {
        List<ResourceChange> changes = new ArrayList<>();
        List<PolicyResult> results = new ArrayList<>();
        String everything = "x".repeat(150_000);
        results.add(new PolicyResult("lists-all", PolicyResult.Level.DENY, everything, Optional.empty(), "p.policy", 9,
                1));
        for (int i = 0; i < 3_000; i++) {
            String address = "zone.s" + i + ".service.logic[0]";
            changes.add(change(address, Action.DELETE, List.of(), false));
            results.add(new PolicyResult("no-destroys", PolicyResult.Level.DENY, address + " would be destroyed",
                    Optional.of(address), "p.policy", 1, 1));
        }
        List<String> parts = PrComment.render(new PrComment.Input(plan(changes), FleetDiff.between(FLEET, FLEET),
                FLEET, Optional.empty(), BASE, List.of(), "", 2, results));
        StringBuilder all = new StringBuilder();
        for (String part : parts) {
            assertThat(part.length()).isLessThanOrEqualTo(65_536);
            all.append(part);
        }
        String text = all.toString();
        // The huge message is cut in its own item, which says where the rest is (no saved plan: it was denied).
        assertThat(text).contains("> - **deny** `lists-all`: " + "x".repeat(PolicyMarkdown.MAX_MESSAGE) + "… ("
                + (150_000 - PolicyMarkdown.MAX_MESSAGE) + " more characters; the command's output and the plan's JSON "
                + "have the whole message) (`p.policy:9:1`)").doesNotContain("in the saved plan");
        for (int i = 0; i < 3_000; i++) {
            assertThat(text).contains("> - **deny** `no-destroys`: zone.s" + i + ".service.logic\\[0\\] would be destroyed");
        }
        // Every denial comes before the list of destructive changes.
        assertThat(text.lastIndexOf("would be destroyed (`p.policy:1:1`)")).isLessThan(text.indexOf("**Destructive changes"));
    }

    private static String one(Plan plan, List<String> errors) {
        List<String> parts = PrComment.render(input(plan, errors));
        assertThat(parts).hasSize(1);
        assertThat(parts.get(0)).startsWith("<!-- fleetform:pr-plan path=. part=1 -->\n");
        return parts.get(0);
    }

    private static PrComment.Input input(Plan plan, List<String> errors) {
        return new PrComment.Input(plan, FleetDiff.between(FLEET, FLEET), FLEET, Optional.empty(), BASE, errors, "");
    }

    private static Plan plan(List<ResourceChange> changes) {
        return new Plan(Plan.FORMAT_VERSION, PlanMode.NORMAL, "mt2", "l", 1, "h", Instant.EPOCH, changes, List.of(),
                Map.of(), List.of(), Optional.of(HEAD));
    }

    private static ResourceChange change(String address, Action action, List<AttributeChange> attributes,
                                         boolean preventDestroy) {
        return new ResourceChange(new ResourceAddress(address), "host_instance", "host", action, Map.of(), Map.of(),
                Set.of(), attributes, action == Action.DELETE ? "not in the configuration" : "moves", List.of(),
                new ResourceLifecycle(preventDestroy, List.of(), false));
    }
}
