package io.fleetform.engine.provider;

import io.fleetform.engine.plan.Action;
import io.fleetform.engine.resource.Resource;
import io.fleetform.engine.state.ResourceState;
import java.util.Optional;

/**
 * A planned change, for the provider to check against the live infrastructure before the plan
 * promises it: CREATE (desired only), UPDATE (prior and desired), DELETE (prior only). The
 * desired resource carries secrets in clear, as for apply.
 *
 * @param forceConflicts the user asked to take fields over from their current owners
 */
public record CheckRequest(Action action, Optional<ResourceState> prior, Optional<Resource> desired,
                           ProviderContext context, boolean forceConflicts) {
}
