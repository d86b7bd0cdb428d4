package io.fleetform.engine.provider;

import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.state.ResourceState;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The installed providers, by name; {@link #open} starts a run with them. */
public final class ProviderRegistry {
    private final Map<String, Provider> providers;

    public ProviderRegistry(List<Provider> providers) {
        Map<String, Provider> byName = new LinkedHashMap<>();
        providers.forEach(p -> byName.put(p.name(), p));
        this.providers = Map.copyOf(byName);
    }

    public static ProviderRegistry fromClassPath() {
        return new ProviderRegistry(io.fleetform.engine.spi.Implementations.of(Provider.class));
    }

    public Optional<Provider> get(String name) {
        return Optional.ofNullable(providers.get(name));
    }

    public Set<String> names() {
        return providers.keySet();
    }

    /**
     * Opens one session per installed provider for a command run, each configured from the fleet
     * (when there is one) and from the state's resources of that provider. The caller closes them.
     */
    public ProviderSessions open(Optional<Fleet> fleet, FleetIdentity identity, List<ResourceState> recorded,
                                 ProviderContext context) {
        return ProviderSessions.open(this, fleet, identity, recorded, context);
    }

    Map<String, Provider> all() {
        return providers;
    }
}
