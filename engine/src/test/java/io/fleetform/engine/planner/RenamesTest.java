package io.fleetform.engine.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.model.Moved;
import io.fleetform.engine.resource.ResourceLifecycle;
import io.fleetform.engine.state.ResourceState;
import io.fleetform.engine.state.State;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a provider moves along with a rename (its addresses are not under the zone's) moves too, with its dependents. */
class RenamesTest {
    private static ResourceAddress a(String s) {
        return new ResourceAddress(s);
    }

    private static ResourceState r(String address, String... deps) {
        return new ResourceState(a(address), "t", "p", Map.of(), Set.of(),
                java.util.Arrays.stream(deps).map(ResourceAddress::new).toList(), ResourceLifecycle.DEFAULT);
    }

    /** Like the Kubernetes provider: {@code k8s.ZONE-svc} follows {@code zone.ZONE}. */
    private static final Renames.Follows NAMED_AFTER_ZONE = (from, to, state) -> {
        String zone = from.value().substring("zone.".length());
        String target = to.value().substring("zone.".length());
        return state.resources().containsKey(a("k8s." + zone + "-svc"))
                ? Map.of(a("k8s." + zone + "-svc"), a("k8s." + target + "-svc")) : Map.of();
    };

    @Test
    void followersMoveWithTheZoneAcrossChainedMoves() {
        State state = State.empty().with(r("zone.z4.service.db[0]")).with(r("k8s.z4-svc"))
                .with(r("k8s.z4-app", "k8s.z4-svc"));
        Renames renames = Renames.of(state, List.of(new Moved("zone.z4", "zone.alpha", SourceSpan.NONE),
                new Moved("zone.alpha", "zone.beta", SourceSpan.NONE)), NAMED_AFTER_ZONE);
        assertThat(renames.diagnostics()).isEmpty();
        assertThat(renames.renamed()).containsEntry(a("k8s.z4-svc"), a("k8s.beta-svc"))
                .containsEntry(a("zone.z4.service.db[0]"), a("zone.beta.service.db[0]"));
        assertThat(renames.state().resources()).containsOnlyKeys(a("zone.beta.service.db[0]"), a("k8s.beta-svc"),
                a("k8s.z4-app"));
        assertThat(renames.state().resources().get(a("k8s.z4-app")).dependsOn()).containsExactly(a("k8s.beta-svc"));
    }

    @Test
    void withoutFollowersOnlyTheAddressesUnderTheZoneMove() {
        State state = State.empty().with(r("zone.z4.service.db[0]")).with(r("k8s.z4-svc"));
        Renames renames = Renames.of(state, List.of(new Moved("zone.z4", "zone.alpha", SourceSpan.NONE)));
        assertThat(renames.state().resources()).containsOnlyKeys(a("zone.alpha.service.db[0]"), a("k8s.z4-svc"));
    }
}
