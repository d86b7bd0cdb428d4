package io.fleetform.engine.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.resource.Attributes;
import io.fleetform.engine.resource.Resource;
import io.fleetform.engine.state.ResourceState;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every provider must do, whatever it drives. A provider's test extends this and says how
 * to make the provider, a fleet for it, the targets it drives, and a context. The checks are
 * the engine's assumptions: deterministic expansion, unique addresses, dependencies that exist,
 * and idempotent create, update and delete that refresh reads back (compared as the engine
 * compares them: normalised, so a provider may answer 1000 as an int or a long), and that what the
 * state records is enough to read and delete without the fleet (a session opened from the state).
 */
public abstract class ProviderContract {
    private static final String LINEAGE = "contract";

    protected abstract Provider provider();

    protected abstract Fleet fleet();

    protected abstract Set<String> targets();

    protected abstract ProviderContext context();

    /** An attribute change the provider can make in place, for the update check. */
    protected abstract Map<String, Object> inPlaceChange(Resource resource);

    /**
     * Whether deleting this resource removes what {@code read} looks at. True for almost every
     * resource. A provider may answer false for resources that only record something it does not
     * own, whose delete "forgets" (a registry keeps an image after its replica is forgotten):
     * their delete must still be idempotent, but a read afterwards may still find the object.
     */
    protected boolean deleteRemoves(ResourceState resource) {
        return true;
    }

    private FleetIdentity identity;

    /** The identity the contract's sessions own their objects under: a new lineage per test. */
    protected FleetIdentity identity() {
        if (identity == null) {
            identity = new FleetIdentity(fleet().name(), java.util.UUID.randomUUID().toString());
        }
        return identity;
    }

    private ProviderSession session;

    /** A session as the engine opens one for a run: configured from the fleet, nothing recorded yet. */
    protected ProviderSession session() {
        if (session == null) {
            session = provider().open(new SessionRequest(Optional.of(fleet()), identity(), List.of(), context()));
        }
        return session;
    }

    @AfterEach
    void closeSession() {
        if (session != null) {
            session.close();
            session = null;
        }
    }

    private List<Resource> expand() {
        ExpandResponse response = session().expand(new ExpandRequest(fleet(), targets(), context()));
        assertThat(response.diagnostics()).as("expansion diagnostics").isEmpty();
        return response.resources();
    }

    @Test
    void expansionIsDeterministicWithUniqueAddressesAndKnownDependencies() {
        List<Resource> first = expand();
        assertThat(first).as("the contract fleet must give the provider something to do").isNotEmpty();
        assertThat(expand()).isEqualTo(first);
        Set<ResourceAddress> addresses = new HashSet<>();
        first.forEach(r -> assertThat(addresses.add(r.address())).as("unique " + r.address()).isTrue());
        first.forEach(r -> assertThat(addresses).as("dependencies of " + r.address()).containsAll(r.dependsOn()));
        first.forEach(r -> assertThat(r.provider()).isEqualTo(provider().name()));
    }

    @Test
    void createReadUpdateDeleteAreIdempotentAndReadBack() throws ProviderException {
        List<Resource> resources = expand();
        Map<ResourceAddress, ResourceState> state = new HashMap<>();
        for (Resource r : resources) {
            ApplyResponse created = apply(Action.CREATE, Optional.empty(), r);
            apply(Action.CREATE, Optional.empty(), r);
            ResourceState recorded = record(r, created);
            state.put(r.address(), recorded);
            ReadResponse read = session().read(new ReadRequest(recorded, context()));
            assertThat(read.attributes()).as("read after create of " + r.address()).isPresent();
            Map<String, Object> now = Attributes.normalize(read.attributes().get());
            for (Map.Entry<String, Object> e : r.attributes().entrySet()) {
                if (!r.sensitive().contains(e.getKey())) {
                    assertThat(now).as(r.address() + " " + e.getKey()).containsEntry(e.getKey(), e.getValue());
                }
            }
        }
        Resource target = resources.get(resources.size() - 1);
        Map<String, Object> changed = new HashMap<>(target.attributes());
        changed.putAll(inPlaceChange(target));
        Resource updated = new Resource(target.address(), target.type(), target.provider(), changed, target.sensitive(),
                target.dependsOn(), target.lifecycle());
        Set<String> names = new HashSet<>(inPlaceChange(target).keySet());
        assertThat(session().diff(new DiffRequest(state.get(target.address()), updated, names)).requiresReplace())
                .as("the change offered as in place").isEmpty();
        ApplyResponse response = apply(Action.UPDATE, Optional.of(state.get(target.address())), updated);
        ResourceState afterUpdate = record(updated, response);
        Map<String, Object> readBack = Attributes.normalize(session().read(new ReadRequest(afterUpdate, context()))
                .attributes().orElseThrow());
        inPlaceChange(target).forEach((k, v) -> assertThat(readBack).containsEntry(k, v));
        state.put(target.address(), afterUpdate);
        // Read and delete as a run whose fleet no longer has these resources: from the state alone.
        try (ProviderSession fromState = provider().open(new SessionRequest(Optional.empty(), identity(),
                List.copyOf(state.values()), context()))) {
            for (int i = resources.size() - 1; i >= 0; i--) {
                ResourceState prior = state.get(resources.get(i).address());
                assertThat(fromState.read(new ReadRequest(prior, context())).attributes())
                        .as("read without the fleet: " + prior.address()).isPresent();
                fromState.apply(new ApplyRequest(Action.DELETE, Optional.of(prior), Optional.empty(), context(), p -> { }));
                fromState.apply(new ApplyRequest(Action.DELETE, Optional.of(prior), Optional.empty(), context(), p -> { }));
                if (deleteRemoves(prior)) {
                    assertThat(fromState.read(new ReadRequest(prior, context())).attributes())
                            .as("gone: " + prior.address()).isEmpty();
                }
            }
        }
    }

    private ApplyResponse apply(Action action, Optional<ResourceState> prior, Resource desired)
            throws ProviderException {
        return session().apply(new ApplyRequest(action, prior, Optional.of(desired), context(), p -> { }));
    }

    private static ResourceState record(Resource r, ApplyResponse response) {
        Map<String, Object> attributes = response.attributes().isEmpty() ? r.attributes() : response.attributes();
        Map<String, Object> hashed = new HashMap<>(attributes);
        io.fleetform.engine.state.SecretHasher.planned(r, LINEAGE).forEach((k, v) -> {
            if (r.sensitive().contains(k)) {
                hashed.put(k, v);
            }
        });
        return new ResourceState(r.address(), r.type(), r.provider(), hashed, r.sensitive(), r.dependsOn(),
                r.lifecycle());
    }
}
