package io.fleetform.engine.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.resource.ResourceLifecycle;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StateMoveTest {
    private static ResourceAddress a(String s) {
        return new ResourceAddress(s);
    }

    private static ResourceState r(String address, String... deps) {
        return new ResourceState(a(address), "t", "p", Map.of("x", 1L), Set.of(),
                java.util.Arrays.stream(deps).map(ResourceAddress::new).toList(), ResourceLifecycle.DEFAULT);
    }

    @Test
    void movesEverythingUnderTheAddressAndEveryDependsOnFollows() {
        State state = State.empty().with(r("zone.z4")).with(r("zone.z4.service.db[0]", "zone.z4"))
                .with(r("zone.z5.service.api[0]", "zone.z4.service.db[0]"));
        StateMove move = StateMove.of(state, a("zone.z4"), a("zone.alpha"));
        assertThat(move.conflicts()).isEmpty();
        assertThat(move.renamed()).containsEntry(a("zone.z4"), a("zone.alpha"))
                .containsEntry(a("zone.z4.service.db[0]"), a("zone.alpha.service.db[0]"));
        assertThat(move.state().resources()).containsOnlyKeys(a("zone.alpha"), a("zone.alpha.service.db[0]"),
                a("zone.z5.service.api[0]"));
        assertThat(move.state().resource(a("zone.z5.service.api[0]")).orElseThrow().dependsOn())
                .as("a resource that did not move points at the new address").containsExactly(a("zone.alpha.service.db[0]"));
        assertThat(move.state().resource(a("zone.alpha.service.db[0]")).orElseThrow().dependsOn())
                .containsExactly(a("zone.alpha"));
    }

    @Test
    void somethingAlreadyAtTheNewAddressIsAConflictAndNothingMoves() {
        State state = State.empty().with(r("zone.a")).with(r("zone.b"));
        StateMove move = StateMove.of(state, a("zone.a"), a("zone.b"));
        assertThat(move.conflicts()).singleElement().asString().contains("already there");
        assertThat(move.state()).isEqualTo(state);
        assertThat(List.copyOf(move.renamed().keySet())).isEmpty();
    }
}
