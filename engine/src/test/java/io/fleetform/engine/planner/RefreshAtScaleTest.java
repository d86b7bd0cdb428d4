package io.fleetform.engine.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.provider.CheckResponse;
import io.fleetform.engine.provider.FleetIdentity;
import io.fleetform.engine.provider.ProviderContext;
import io.fleetform.engine.provider.ProviderRegistry;
import io.fleetform.engine.provider.ProviderSessions;
import io.fleetform.engine.resource.Resource;
import io.fleetform.engine.resource.ResourceLifecycle;
import io.fleetform.engine.state.ResourceState;
import io.fleetform.engine.state.State;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Refresh and the plan-time adoptions at scale: however many resources drift or are adopted, they make one new
 * state, not a copy of the whole state per resource (which is quadratic: 20,000 drifted resources were 20,000
 * copies of a 20,000-entry map). Asserted on the number of resource maps built, not on time.
 */
class RefreshAtScaleTest {
    private static final int N = 20_000;
    private final CheckerTest.TableProvider provider = new CheckerTest.TableProvider();
    private final ProviderSessions sessions = new ProviderRegistry(List.of(provider)).open(Optional.empty(),
            new FleetIdentity("f", "l"), List.of(), new ProviderContext(Path.of("."), Map.of()));
    private final ProviderContext context = new ProviderContext(Path.of("."), Map.of());

    private static ResourceAddress address(int i) {
        return new ResourceAddress("zone.z" + i + ".service.game[0]");
    }

    private static ResourceState recorded(int i) {
        return new ResourceState(address(i), "t", "p", Map.of("size", 0L), Set.of("data"), List.of(),
                ResourceLifecycle.DEFAULT);
    }

    @Test
    void twentyThousandDriftedResourcesMakeOneNewState() {
        Map<ResourceAddress, ResourceState> all = new TreeMap<>();
        for (int i = 0; i < N; i++) {
            all.put(address(i), recorded(i));
        }
        State state = State.empty().withResources(all);

        long before = State.resourceMapCopies();
        Refresher.Refreshed refreshed = new Refresher(sessions).refresh(state, context);
        long copies = State.resourceMapCopies() - before;

        assertThat(refreshed.drift()).hasSize(N);
        assertThat(refreshed.state().resources()).hasSize(N);
        assertThat(refreshed.state().resources().values()).allSatisfy(r -> assertThat(r.attributes())
                .containsEntry("size", 1L));
        assertThat(List.copyOf(refreshed.state().resources().keySet())).isSorted();
        assertThat(copies).as("resource maps built for %d drifted resources", N).isLessThanOrEqualTo(1);
    }

    @Test
    void readsInParallelMakeTheSameStateAndDriftAsOneAtATime() {
        Map<ResourceAddress, ResourceState> all = new TreeMap<>();
        for (int i = 0; i < N; i++) {
            all.put(address(i), recorded(i));
        }
        State state = State.empty().withResources(all);
        Refresher.Refreshed one = new Refresher(sessions).refresh(state, context, 1);
        Refresher.Refreshed ten = new Refresher(sessions).refresh(state, context, 10);
        assertThat(ten.drift()).isEqualTo(one.drift());
        assertThat(ten.diagnostics()).isEqualTo(one.diagnostics());
        assertThat(ten.state().resources()).isEqualTo(one.state().resources());
    }

    @Test
    void twentyThousandLeftoversAndAdoptionsMakeOneNewStateEach() {
        List<Resource> declared = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            provider.leftovers.add(new ResourceState(new ResourceAddress("zone.left" + i + ".service.game[0]"), "t",
                    "p", Map.of("size", 1L), Set.of(), List.of(), ResourceLifecycle.DEFAULT));
            declared.add(new Resource(address(i), "t", "p", Map.of("size", 1L), Set.of(), List.of(),
                    ResourceLifecycle.DEFAULT));
            provider.answers.put(address(i).value(), new CheckResponse.Adopt(Map.of("size", 1L), "made, not recorded"));
        }
        Checker checker = new Checker(sessions);
        State empty = State.empty();

        long before = State.resourceMapCopies();
        Checker.Adopted leftovers = checker.adoptLeftovers(empty, declared, context);
        assertThat(leftovers.addresses()).hasSize(N);
        assertThat(leftovers.state().resources()).hasSize(N);
        assertThat(State.resourceMapCopies() - before).isLessThanOrEqualTo(1);

        before = State.resourceMapCopies();
        Checker.Adopted adopted = checker.adoptForDestroy(empty, declared, context);
        assertThat(adopted.addresses()).hasSize(N);
        assertThat(adopted.state().resources()).hasSize(N);
        assertThat(State.resourceMapCopies() - before).isLessThanOrEqualTo(1);
    }
}
