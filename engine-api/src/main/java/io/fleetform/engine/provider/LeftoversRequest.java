package io.fleetform.engine.provider;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.state.ResourceState;
import java.util.List;
import java.util.Set;

/**
 * @param desired  every address the configuration declares (of all providers)
 * @param recorded the state's resources of this provider, after {@code moved} blocks
 */
public record LeftoversRequest(Set<ResourceAddress> desired, List<ResourceState> recorded, ProviderContext context) {
    public LeftoversRequest {
        desired = Set.copyOf(desired);
        recorded = List.copyOf(recorded);
    }
}
