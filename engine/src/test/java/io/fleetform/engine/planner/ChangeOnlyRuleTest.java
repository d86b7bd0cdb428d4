package io.fleetform.engine.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.dsl.diag.Severity;
import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.address.AddressPattern;
import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.plan.Plan;
import io.fleetform.engine.plan.PlanMode;
import io.fleetform.engine.provider.ChangeOnly;
import io.fleetform.engine.provider.ExpandRequest;
import io.fleetform.engine.provider.ExpandResponse;
import io.fleetform.engine.provider.FleetIdentity;
import io.fleetform.engine.provider.ProviderContext;
import io.fleetform.engine.provider.ProviderRegistry;
import io.fleetform.engine.provider.ProviderSessions;
import io.fleetform.engine.provider.ResolveRequest;
import io.fleetform.engine.provider.ResolveResponse;
import io.fleetform.engine.resource.Resource;
import io.fleetform.engine.resource.ResourceLifecycle;
import io.fleetform.engine.state.ResourceState;
import io.fleetform.engine.state.State;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Problems of making or changing resources stop exactly the plans that would make or change what they concern: a
 * normal plan of those resources keeps every refusal; a destroy, a refresh-only plan, and a plan whose --target
 * leaves them out go on, showing each as a warning.
 */
class ChangeOnlyRuleTest {
    private static final ProviderContext CONTEXT = new ProviderContext(Path.of("."), Map.of());
    private final Planner planner = new Planner(new ProviderRegistry(List.of(new PlannerTest.ImageProvider())).open(
            Optional.empty(), new FleetIdentity("f", "l"), List.of(), CONTEXT));

    private static final Diagnostic NO_ROOM = Diagnostic.error("no-placement", SourceSpan.NONE,
            "cannot place zone.a.service.s[1]: no host has 2 cores free", "add hosts");

    private static Resource resource(String address, String image) {
        return new Resource(new ResourceAddress(address), "t", "p", Map.of("image", image), Set.of(), List.of(),
                ResourceLifecycle.DEFAULT);
    }

    private static ResourceState stored(Resource r, String lineage) {
        return new ResourceState(r.address(), r.type(), r.provider(), Planner.planned(r, lineage), r.sensitive(),
                r.dependsOn(), r.lifecycle());
    }

    /** s[0] and the removed zone.old are recorded; s[1] is declared but could not be placed (not expanded). */
    private State state() {
        State state = State.empty();
        return state.with(stored(resource("zone.a.service.s[0]", "v1"), state.lineage()))
                .with(stored(resource("zone.a.service.s[1]", "v1"), state.lineage()))
                .with(stored(resource("zone.old.service.s[0]", "v1"), state.lineage()));
    }

    private List<Diagnostic> judge(PlanMode mode, List<Resource> desired, List<String> targets, ChangeOnly problem) {
        List<AddressPattern> patterns = targets.stream().map(AddressPattern::new).toList();
        Plan plan = planner.plan(new Planner.Request("f", desired, state(), List.of(), mode, patterns, List.of(),
                "sha256:c", Map.of())).plan();
        Set<ResourceAddress> declared = new java.util.HashSet<>();
        desired.forEach(r -> declared.add(r.address()));
        return ChangeOnlyRule.judge(List.of(problem), plan, declared,
                a -> Planner.selected(a, patterns, List.of()));
    }

    private static ChangeOnly about(Diagnostic d, String... addresses) {
        return ChangeOnly.of(d, java.util.Arrays.stream(addresses).map(ResourceAddress::new).toList());
    }

    @Test
    void aDestroyGoesOnAndShowsTheProblemAsAWarning() {
        List<Diagnostic> out = judge(PlanMode.DESTROY, List.of(resource("zone.a.service.s[0]", "v1")), List.of(),
                about(NO_ROOM, "zone.a.service.s[1]"));
        assertThat(out).singleElement().satisfies(d -> {
            assertThat(d.severity()).isEqualTo(Severity.WARNING);
            assertThat(d.code()).isEqualTo("no-placement");
            assertThat(d.message()).startsWith(NO_ROOM.message()).contains("a destroy makes nothing");
            assertThat(d.hint()).isEqualTo("add hosts");
        });
        // what cannot be named (an image tag that no longer resolves) does not stop a destroy either
        assertThat(judge(PlanMode.DESTROY, List.of(), List.of(), about(NO_ROOM)))
                .allMatch(d -> !d.isError());
        assertThat(judge(PlanMode.REFRESH_ONLY, List.of(), List.of(), about(NO_ROOM)))
                .allMatch(d -> !d.isError());
    }

    @Test
    void aNormalPlanKeepsTheRefusalOfWhatItWouldMakeOrChange() {
        Resource changed = resource("zone.a.service.s[0]", "v2");
        assertThat(judge(PlanMode.NORMAL, List.of(changed), List.of(), about(NO_ROOM, "zone.a.service.s[0]")))
                .containsExactly(NO_ROOM);
        assertThat(judge(PlanMode.NORMAL, List.of(changed, resource("zone.new.service.s[0]", "v1")), List.of(),
                about(NO_ROOM, "zone.new.service.s[0]"))).as("a create").containsExactly(NO_ROOM);
        assertThat(judge(PlanMode.NORMAL, List.of(changed), List.of(), about(NO_ROOM)))
                .as("unnamed: every normal plan").containsExactly(NO_ROOM);
    }

    @Test
    void aDeclaredResourceTheExpansionCouldNotGiveKeepsItsRefusalRatherThanBeingDeleted() {
        // s[1] is recorded and declared but unplaced: without the refusal the plan would delete it
        assertThat(judge(PlanMode.NORMAL, List.of(resource("zone.a.service.s[0]", "v1")), List.of(),
                about(NO_ROOM, "zone.a.service.s[1]"))).containsExactly(NO_ROOM);
    }

    @Test
    void aPlanThatMakesAndChangesNoneOfWhatItConcernsGoesOn() {
        // --target on the removed zone: the plan only deletes it; the unplaced s[1] is not part of it
        List<Diagnostic> targeted = judge(PlanMode.NORMAL, List.of(resource("zone.a.service.s[0]", "v1")),
                List.of("zone.old*"), about(NO_ROOM, "zone.a.service.s[1]"));
        assertThat(targeted).singleElement().satisfies(d -> {
            assertThat(d.isError()).isFalse();
            assertThat(d.message()).contains("creates and changes none of what it concerns");
        });
        // a problem of an instance the plan leaves as it is
        assertThat(judge(PlanMode.NORMAL, List.of(resource("zone.a.service.s[0]", "v1"),
                resource("zone.a.service.s[1]", "v1")), List.of(), about(NO_ROOM, "zone.a.service.s[0]")))
                .noneMatch(Diagnostic::isError);
    }

    @Test
    void aProblemReportedOnceForSeveralResourcesConcernsEachOfThem() {
        // reported once (for s[0], left as it is), marked again for s[1], which this --target plan would create
        ChangeOnly first = about(NO_ROOM, "zone.a.service.s[0]");
        ChangeOnly again = about(NO_ROOM, "zone.b.service.s[0]");
        List<AddressPattern> patterns = List.of(new AddressPattern("zone.b*"));
        Plan plan = planner.plan(new Planner.Request("f", List.of(resource("zone.a.service.s[0]", "v1"),
                resource("zone.b.service.s[0]", "v1")), state(), List.of(), PlanMode.NORMAL, patterns, List.of(),
                "sha256:c", Map.of())).plan();
        assertThat(ChangeOnlyRule.judge(List.of(first, again), plan, Set.of(new ResourceAddress("zone.a.service.s[0]"),
                new ResourceAddress("zone.b.service.s[0]")), a -> Planner.selected(a, patterns, List.of())))
                .containsExactly(NO_ROOM);
    }

    @Test
    void warningsPassAsTheyAre() {
        Diagnostic warning = Diagnostic.warning("ports-in-use", SourceSpan.NONE, "ports held", "");
        assertThat(judge(PlanMode.DESTROY, List.of(), List.of(), about(warning))).containsExactly(warning);
    }

    /** A registry's answer that a tag does not resolve, and a provider's marked problem, reach the expansion. */
    @Test
    void theResolvePhasesProblemsAndTheMarkedOnesAreChangeOnlyTheOthersStopEveryPlan() {
        Diagnostic unresolved = Diagnostic.error("registry-unavailable", SourceSpan.NONE, "cannot be resolved", "");
        Diagnostic untrusted = Diagnostic.error("plain-http-agent", SourceSpan.NONE, "plain HTTP", "");
        Marking marking = new Marking(unresolved, untrusted);
        ProviderSessions sessions = new ProviderRegistry(List.of(marking)).open(Optional.empty(),
                new FleetIdentity("f", "l"), List.of(), CONTEXT);
        ProviderSessions.Expansion expansion = sessions.expand(new Fleet("f", "", Map.of(), Map.of(), List.of(), List.of(),
                List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), SourceSpan.NONE), CONTEXT);
        assertThat(expansion.diagnostics()).containsExactly(unresolved, NO_ROOM, untrusted);
        assertThat(expansion.general()).containsExactly(untrusted);
        assertThat(expansion.changeOnly()).extracting(ChangeOnly::diagnostic).containsExactly(unresolved, NO_ROOM);
    }

    /** Resolves nothing (the registry is down) and expands nothing (no room, an agent's plain HTTP). */
    private record Marking(Diagnostic unresolved, Diagnostic untrusted) implements io.fleetform.engine.provider.Provider,
            io.fleetform.engine.provider.ProviderSession {
        @Override
        public String name() {
            return "p";
        }

        @Override
        public io.fleetform.engine.provider.ProviderSession open(io.fleetform.engine.provider.SessionRequest request) {
            return this;
        }

        @Override
        public ResolveResponse resolve(ResolveRequest request) {
            return new ResolveResponse(Map.of(), List.of(unresolved));
        }

        @Override
        public ExpandResponse expand(ExpandRequest request) {
            return new ExpandResponse(List.of(), List.of(NO_ROOM, untrusted), List.of(about(NO_ROOM,
                    "zone.a.service.s[1]")));
        }

        @Override
        public io.fleetform.engine.provider.ReadResponse read(io.fleetform.engine.provider.ReadRequest request) {
            return io.fleetform.engine.provider.ReadResponse.gone();
        }

        @Override
        public io.fleetform.engine.provider.DiffResponse diff(io.fleetform.engine.provider.DiffRequest request) {
            return io.fleetform.engine.provider.DiffResponse.IN_PLACE;
        }

        @Override
        public io.fleetform.engine.provider.ApplyResponse apply(io.fleetform.engine.provider.ApplyRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public io.fleetform.engine.provider.ImportResponse importResource(
                io.fleetform.engine.provider.ImportRequest request) {
            throw new UnsupportedOperationException();
        }
    }
}
