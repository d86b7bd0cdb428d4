package io.fleetform.engine.planner;

import io.fleetform.engine.plan.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.address.AddressPattern;
import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.provider.*;
import io.fleetform.engine.resource.Resource;
import io.fleetform.engine.resource.ResourceLifecycle;
import io.fleetform.engine.state.ResourceState;
import io.fleetform.engine.state.SecretHasher;
import io.fleetform.engine.state.State;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlannerTest {
    /** Image changes need replacement; nothing else. Only diff is used by the planner. */
    static final class ImageProvider implements Provider, ProviderSession {
        @Override
        public String name() {
            return "p";
        }

        @Override
        public ProviderSession open(SessionRequest request) {
            return this;
        }

        @Override
        public ExpandResponse expand(ExpandRequest request) {
            return new ExpandResponse(List.of(), List.of());
        }

        @Override
        public ReadResponse read(ReadRequest request) {
            return ReadResponse.gone();
        }

        @Override
        public DiffResponse diff(DiffRequest request) {
            return new DiffResponse(Set.of("image"), "an image change needs a new container");
        }

        @Override
        public ApplyResponse apply(ApplyRequest request) {
            throw new UnsupportedOperationException("the planner never applies");
        }

        @Override
        public ImportResponse importResource(ImportRequest request) {
            throw new UnsupportedOperationException("the planner never imports");
        }
    }

    private final Planner planner = new Planner(new ProviderRegistry(List.of(new ImageProvider())).open(
            java.util.Optional.empty(), new FleetIdentity("f", "l"), List.of(),
            new ProviderContext(java.nio.file.Path.of("."), Map.of())));

    private static Resource resource(String address, Map<String, Object> attributes, Set<String> sensitive,
                                     ResourceLifecycle lifecycle) {
        return new Resource(new ResourceAddress(address), "t", "p", attributes, sensitive, List.of(), lifecycle);
    }

    private static ResourceState stored(Resource r, String lineage) {
        return new ResourceState(r.address(), r.type(), r.provider(), Planner.planned(r, lineage), r.sensitive(),
                r.dependsOn(), r.lifecycle());
    }

    private Planner.Result plan(List<Resource> desired, State state, PlanMode mode, List<String> targets) {
        return planner.plan(new Planner.Request("f", desired, state, List.of(), mode,
                targets.stream().map(AddressPattern::new).toList(), List.of(), "sha256:config", Map.of()));
    }

    @Test
    void eachKindOfChange() {
        State state = State.empty();
        Resource same = resource("zone.a", Map.of("idc", "dc1"), Set.of(), ResourceLifecycle.DEFAULT);
        Resource resized = resource("zone.a.service.s[0]", Map.of("image", "v1", "memory", 1024L), Set.of(),
                ResourceLifecycle.DEFAULT);
        Resource reimaged = resource("zone.a.service.s[1]", Map.of("image", "v1", "memory", 1024L), Set.of(),
                ResourceLifecycle.DEFAULT);
        Resource gone = resource("zone.old", Map.of("idc", "dc1"), Set.of(), ResourceLifecycle.DEFAULT);
        state = state.with(stored(same, state.lineage())).with(stored(resized, state.lineage()))
                .with(stored(reimaged, state.lineage())).with(stored(gone, state.lineage()));
        List<Resource> desired = List.of(same,
                resource("zone.a.service.s[0]", Map.of("image", "v1", "memory", 2048L), Set.of(), ResourceLifecycle.DEFAULT),
                resource("zone.a.service.s[1]", Map.of("image", "v2", "memory", 1024L), Set.of(), ResourceLifecycle.DEFAULT),
                resource("zone.new", Map.of("idc", "dc2"), Set.of(), ResourceLifecycle.DEFAULT));
        Plan plan = plan(desired, state, PlanMode.NORMAL, List.of()).plan();
        assertThat(plan.changes()).extracting(c -> c.address().value() + " " + c.action()).containsExactly(
                "zone.a NO_OP", "zone.a.service.s[0] UPDATE", "zone.a.service.s[1] REPLACE", "zone.new CREATE",
                "zone.old DELETE");
        ResourceChange update = plan.changes().get(1);
        assertThat(update.changes()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("memory");
            assertThat(c.before()).isEqualTo(1024L);
            assertThat(c.after()).isEqualTo(2048L);
            assertThat(c.forcesReplacement()).isFalse();
        });
        ResourceChange replace = plan.changes().get(2);
        assertThat(replace.reason()).isEqualTo("an image change needs a new container");
        assertThat(replace.changes()).singleElement().satisfies(c -> assertThat(c.forcesReplacement()).isTrue());
        assertThat(plan.changes().get(4).reason()).isEqualTo("not in the configuration");
        assertThat(plan.lineage()).isEqualTo(state.lineage());
        assertThat(plan.configHash()).isEqualTo("sha256:config");
    }

    @Test
    void secretsArePlannedAsHashesAndAChangedSecretIsAnUpdate() {
        State state = State.empty();
        Resource before = resource("zone.a.service.s[0]", Map.of("token", "old-secret"), Set.of("token"),
                ResourceLifecycle.DEFAULT);
        state = state.with(stored(before, state.lineage()));
        Resource after = resource("zone.a.service.s[0]", Map.of("token", "new-secret"), Set.of("token"),
                ResourceLifecycle.DEFAULT);
        Plan plan = plan(List.of(after), state, PlanMode.NORMAL, List.of()).plan();
        ResourceChange change = plan.changes().get(0);
        assertThat(change.action()).isEqualTo(Action.UPDATE);
        assertThat(change.after().get("token")).isEqualTo(SecretHasher.hash(state.lineage(), "new-secret"));
        assertThat(change.toString()).doesNotContain("new-secret").doesNotContain("old-secret");
        assertThat(change.changes().get(0).sensitive()).isTrue();
    }

    @Test
    void ignoredChangesAreNotPlanned() {
        State state = State.empty();
        Resource prior = resource("zone.a.service.s[0]", Map.of("image", "v1", "replicas", 3L), Set.of(),
                ResourceLifecycle.DEFAULT);
        state = state.with(stored(prior, state.lineage()));
        Resource desired = resource("zone.a.service.s[0]", Map.of("image", "v1", "replicas", 5L), Set.of(),
                new ResourceLifecycle(false, List.of("replicas"), false));
        assertThat(plan(List.of(desired), state, PlanMode.NORMAL, List.of()).plan().changes())
                .extracting(ResourceChange::action).containsExactly(Action.NO_OP);
    }

    @Test
    void preventDestroyIsKeptInTheStateSoRemovingTheBlockDoesNotBypassIt() {
        State state = State.empty();
        Resource guarded = resource("zone.a", Map.of("idc", "dc1"), Set.of(),
                new ResourceLifecycle(true, List.of(), false));
        state = state.with(stored(guarded, state.lineage()));
        Planner.Result removed = plan(List.of(), state, PlanMode.NORMAL, List.of());
        assertThat(removed.hasErrors()).isTrue();
        assertThat(removed.diagnostics().get(0).message()).isEqualTo(
                "zone.a would be destroyed, but it has prevent_destroy");
        Planner.Result destroy = plan(List.of(guarded), state, PlanMode.DESTROY, List.of());
        assertThat(destroy.hasErrors()).isTrue();
    }

    @Test
    void targetsSelectAddressesAndEverythingUnderThem() {
        List<Resource> desired = List.of(
                resource("zone.s1", Map.of(), Set.of(), ResourceLifecycle.DEFAULT),
                resource("zone.s1.service.x[0]", Map.of(), Set.of(), ResourceLifecycle.DEFAULT),
                resource("zone.s12", Map.of(), Set.of(), ResourceLifecycle.DEFAULT),
                resource("zone.s2", Map.of(), Set.of(), ResourceLifecycle.DEFAULT));
        assertThat(plan(desired, State.empty(), PlanMode.NORMAL, List.of("zone.s1")).plan().changes())
                .extracting(c -> c.address().value()).containsExactly("zone.s1", "zone.s1.service.x[0]");
        Planner.Result wildcard = plan(desired, State.empty(), PlanMode.NORMAL, List.of("zone.s1*"));
        assertThat(wildcard.plan().changes()).extracting(c -> c.address().value())
                .containsExactly("zone.s1", "zone.s1.service.x[0]", "zone.s12");
        assertThat(wildcard.plan().warnings()).isNotEmpty();
    }

    @Test
    void destroyPlansDeletesForEverythingInTheState() {
        State state = State.empty();
        Resource a = resource("zone.a", Map.of(), Set.of(), ResourceLifecycle.DEFAULT);
        state = state.with(stored(a, state.lineage()));
        Plan plan = plan(List.of(a), state, PlanMode.DESTROY, List.of()).plan();
        assertThat(plan.changes()).extracting(ResourceChange::action).containsExactly(Action.DELETE);
        assertThat(plan.changes().get(0).reason()).isEqualTo("destroy requested");
    }

    @Test
    void movedRenamesStateEntriesWithEverythingUnderThem() {
        State state = State.empty();
        state = state.with(stored(resource("zone.s1", Map.of(), Set.of(), ResourceLifecycle.DEFAULT), state.lineage()))
                .with(new ResourceState(new ResourceAddress("zone.s1.service.x[0]"), "t", "p", Map.of(), Set.of(),
                        List.of(new ResourceAddress("zone.s1")), ResourceLifecycle.DEFAULT));
        State moved = Refresher.applyMoves(state, List.of(new io.fleetform.engine.model.Moved("zone.s1", "zone.alpha1",
                io.fleetform.dsl.source.SourceSpan.NONE)), new java.util.ArrayList<>());
        assertThat(moved.resources().keySet()).extracting(ResourceAddress::value)
                .containsExactly("zone.alpha1", "zone.alpha1.service.x[0]");
        assertThat(moved.resources().get(new ResourceAddress("zone.alpha1.service.x[0]")).dependsOn())
                .containsExactly(new ResourceAddress("zone.alpha1"));
    }
}
