package io.fleetform.engine.provider;

import io.fleetform.engine.plan.Action;
import io.fleetform.engine.resource.Resource;
import io.fleetform.engine.state.ResourceState;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One change to make: CREATE (desired only), UPDATE or REPLACE (prior and desired), DELETE
 * (prior only). The desired resource carries secrets in clear; the prior only their hashes.
 *
 * @param progress where to report what the provider is waiting for ("2/3 replicas ready")
 */
public record ApplyRequest(Action action, Optional<ResourceState> prior, Optional<Resource> desired,
                           ProviderContext context, Consumer<String> progress) {
}
