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
import org.junit.jupiter.api.Test;

class PlanTextTest {

    @Test
    void aPlanReadsDestructiveFirstThenByZoneThenDriftOutputsAndTheSummary() {
        String text = PlanText.render(SamplePlans.representative(), false);

        assertThat(text).isEqualTo("""
                Fleetform plan for fleet "mmo"

                Destroy or replace (2):

                  zone s12
                    -/+ zone.s12.service.logic[0] (service) will be replaced: image changes need a new container
                          image: "gamesvr:1.4" → "gamesvr:1.5"  # forces replacement
                          env.DB_PASSWORD: (sensitive) → (sensitive)
                      - zone.s12.service.old[0] (service) will be destroyed: not in the configuration
                          image: "old:1"

                Create or update (3):

                  fleet-wide
                      + image.gamesvr (image) will be created: new in the configuration
                          repository: "games/gamesvr"
                          tag: "1.5"

                  zone s2
                      ~ zone.s2.service.chat[0] (service) will be updated in place: replicas changed
                          replicas: 2 → 3
                          cpu: 1.5 → 2.25

                  zone s12
                      + zone.s12.service.logic[1] (service) will be created: new in the configuration
                          image: "gamesvr:1.5"
                          ports: [7000, 7001]

                Changes outside Fleetform (2):
                  ~ zone.s2.service.chat[0] (service) was changed outside Fleetform
                      replicas: 2 → 4
                  - zone.s2.service.login[0] (service) was deleted outside Fleetform

                Outputs after apply:
                  admin_token = (sensitive)
                  lobby_url = "https://lobby.example"

                Warning: provider docker 2.1 is deprecated

                Plan: 2 to add, 1 to change, 1 to replace, 1 to destroy.
                """);
    }

    @Test
    void colourMarksActionsAndDangerAndCanBeStrippedBackToThePlainText() {
        Plan plan = SamplePlans.representative();

        String coloured = PlanText.render(plan, true);

        assertThat(coloured).contains("\u001b[32m  +\u001b[0m image.gamesvr", "\u001b[33m  ~\u001b[0m zone.s2",
                "\u001b[31m-/+\u001b[0m zone.s12.service.logic[0]", "\u001b[31m  -\u001b[0m zone.s12.service.old[0]",
                "\u001b[31m# forces replacement\u001b[0m", "\u001b[1;33mWarning:\u001b[0m",
                "\u001b[1mPlan: 2 to add, 1 to change, 1 to replace, 1 to destroy.\u001b[0m");
        assertThat(coloured.replaceAll("\u001b\\[[0-9;]*m", "")).isEqualTo(PlanText.render(plan, false));
        assertThat(PlanText.render(plan, false)).doesNotContain("\u001b");
    }

    @Test
    void destructiveChangesComeBeforeEverythingElseWhateverTheirZone() {
        String text = PlanText.render(plan(PlanMode.NORMAL, List.of(
                change("image.gamesvr", "image", Action.CREATE, "", Set.of()),
                change("zone.s1.service.chat[0]", "service", Action.UPDATE, "", Set.of()),
                change("zone.s9.service.logic[0]", "service", Action.DELETE, "", Set.of()),
                change("zone.s3.service.logic[0]", "service", Action.REPLACE, "", Set.of())), List.of(), Map.of(),
                List.of()), false);

        assertThat(text.indexOf("zone.s3.service.logic[0]")).isLessThan(text.indexOf("zone.s9.service.logic[0]"));
        assertThat(text.indexOf("zone.s9.service.logic[0]")).isLessThan(text.indexOf("image.gamesvr"));
        assertThat(text.indexOf("image.gamesvr")).isLessThan(text.indexOf("zone.s1.service.chat[0]"));
    }

    @Test
    void zonesAreInNaturalOrderAfterFleetWideResourcesAndUnchangedOnesAreNotListed() {
        String text = PlanText.render(plan(PlanMode.NORMAL, List.of(
                change("zone.s10.service.a[0]", "service", Action.CREATE, "", Set.of()),
                change("zone.s9.service.a[0]", "service", Action.CREATE, "", Set.of()),
                change("zone.s9.service.same[0]", "service", Action.NO_OP, "", Set.of()),
                change("registry.hub", "registry", Action.CREATE, "", Set.of())), List.of(), Map.of(), List.of()),
                false);

        assertThat(text).containsSubsequence("fleet-wide", "registry.hub", "zone s9", "zone.s9.service.a[0]",
                "zone s10", "zone.s10.service.a[0]", "Plan: 3 to add, 0 to change, 0 to replace, 0 to destroy.");
        assertThat(text).doesNotContain("zone.s9.service.same");
    }

    @Test
    void aPlanWithoutChangesSaysSo() {
        Plan plan = plan(PlanMode.NORMAL, List.of(change("zone.s1.service.a[0]", "service", Action.NO_OP, "",
                Set.of())), List.of(), Map.of(), List.of());

        assertThat(PlanText.render(plan, false)).isEqualTo("""
                Fleetform plan for fleet "mmo"

                No changes. The infrastructure matches the configuration.
                """);
    }

    @Test
    void aDestroyPlanIsCalledOneAndCountsWhatGoes() {
        Plan plan = plan(PlanMode.DESTROY, List.of(
                change("zone.s1.service.a[0]", "service", Action.DELETE, "destroy requested", Set.of()),
                change("image.gamesvr", "image", Action.DELETE, "destroy requested", Set.of())), List.of(), Map.of(),
                List.of());

        assertThat(PlanText.render(plan, false)).isEqualTo("""
                Fleetform destroy plan for fleet "mmo"

                Destroy (2):

                  fleet-wide
                      - image.gamesvr (image) will be destroyed: destroy requested

                  zone s1
                      - zone.s1.service.a[0] (service) will be destroyed: destroy requested

                Destroy plan: 2 to destroy.
                """);
        assertThat(PlanText.render(plan(PlanMode.DESTROY, List.of(), List.of(), Map.of(), List.of()), false))
                .endsWith("\nNo changes. There is nothing to destroy.\n");
    }

    @Test
    void aRefreshOnlyPlanShowsOnlyWhatChangedOutsideFleetform() {
        Plan plan = plan(PlanMode.REFRESH_ONLY,
                List.of(change("zone.s1.service.a[0]", "service", Action.UPDATE, "", Set.of())),
                List.of(new Drift(ResourceAddress.of("zone.s1.service.a[0]"), "service", false,
                        List.of(attr("replicas", 2L, 5L)))), Map.of(), List.of());

        assertThat(PlanText.render(plan, false)).isEqualTo("""
                Fleetform refresh-only plan for fleet "mmo"

                Changes outside Fleetform (1):
                  ~ zone.s1.service.a[0] (service) was changed outside Fleetform
                      replicas: 2 → 5

                Refresh-only plan: 1 change outside Fleetform will be recorded in the state; no infrastructure will \
                change.
                """);
        assertThat(PlanText.render(plan(PlanMode.REFRESH_ONLY, List.of(), List.of(), Map.of(), List.of()), false))
                .endsWith("\nNo changes. The state matches the infrastructure.\n");
    }

    @Test
    void anUpdateThatRestartsSaysSoInsteadOfUpdatedInPlace() {
        Plan plan = plan(PlanMode.NORMAL, List.of(change("zone.s1.service.a[0]", "host_instance", Action.UPDATE,
                "will be recreated (restart, keeps IP, cores and data)", Set.of(), attr("image", "g:1", "g:2"))),
                List.of(), Map.of(), List.of());

        assertThat(PlanText.render(plan, false)).contains(
                "~ zone.s1.service.a[0] (host_instance) will be recreated (restart, keeps IP, cores and data)\n")
                .doesNotContain("updated in place");
    }

    @Test
    void aLineBreakInProviderTextCannotForgeALineOfThePlan() {
        Plan plan = plan(PlanMode.NORMAL, List.of(change("zone.s1.service.a[0]", "service", Action.UPDATE,
                "tuned\n      - zone.s1.service.db[0] (service) will be destroyed", Set.of(),
                attr("motd", "hi", "hello\n      - zone.s1.service.db[0]"))), List.of(), Map.of(), List.of());

        String text = PlanText.render(plan, false);

        assertThat(text.lines()).noneMatch(line -> line.trim().startsWith("- zone.s1.service.db[0]"));
        assertThat(text).contains("motd: \"hi\" → \"hello\\n      - zone.s1.service.db[0]\"");
    }

    @Test
    void conflictsTakeOversAndWhatStaysInPlaceAreDistinctLinesAndCounted() {
        Plan plan = plan(PlanMode.DESTROY, List.of(
                change("k8s.one.statefulset.ns/s1-game", "k8s_statefulset", Action.CONFLICT,
                        ".spec.replicas (owned by \"kubectl-edit\"); apply leaves it as it is", Set.of(),
                        attr("spec.replicas", 4, 2)),
                change("k8s.one.secret.ns/s1-game-env", "k8s_secret", Action.TAKE_OVER,
                        "takes over .data.PASS (owned by \"vault\") (--force-conflicts)", Set.of()),
                change("k8s.one.namespace.ns", "k8s_namespace", Action.FORGET,
                        "it holds objects not made by this fleet: ConfigMap team", Set.of())),
                List.of(), Map.of(), List.of());

        String text = PlanText.render(plan, false);

        assertThat(text).contains("  ! k8s.one.statefulset.ns/s1-game (k8s_statefulset) will not be updated: conflict: "
                        + ".spec.replicas (owned by \"kubectl-edit\"); apply leaves it as it is\n")
                .contains(" ~! k8s.one.secret.ns/s1-game-env (k8s_secret) will be updated in place, taking fields "
                        + "over: takes over .data.PASS (owned by \"vault\") (--force-conflicts)\n")
                .contains("  . k8s.one.namespace.ns (k8s_namespace) will be removed from the state and left in place: "
                        + "it holds objects not made by this fleet: ConfigMap team\n")
                .endsWith("Destroy plan: 0 to destroy, 1 to take fields over, 1 conflict left alone "
                        + "(--force-conflicts takes the fields over), 1 to leave in place (removed from the state).\n");
    }

    @Test
    void twentyThousandResourcesRenderInLinearTime() {
        Plan plan = SamplePlans.large(20_000);

        String text = assertTimeout(Duration.ofSeconds(5), () -> PlanText.render(plan, true));

        assertThat(text).endsWith("Plan: 19800 to add, 0 to change, 200 to replace, 0 to destroy.\u001b[0m\n");
        assertThat(text.lines().filter(l -> l.contains(" will be created"))).hasSize(19_800);
    }
}
