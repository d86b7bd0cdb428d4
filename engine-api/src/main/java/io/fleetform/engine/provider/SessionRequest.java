package io.fleetform.engine.provider;

import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.state.ResourceState;
import java.util.List;
import java.util.Optional;

/**
 * How a session is configured: from the fleet when there is one (plan, apply; not {@code state mv})
 * and from what the state recorded of this provider's resources, so resources whose block left
 * the fleet can still be read and deleted.
 *
 * @param recorded the state's resources of this provider
 */
public record SessionRequest(Optional<Fleet> fleet, FleetIdentity identity, List<ResourceState> recorded,
                             ProviderContext context) {
    public SessionRequest {
        recorded = List.copyOf(recorded);
    }
}
