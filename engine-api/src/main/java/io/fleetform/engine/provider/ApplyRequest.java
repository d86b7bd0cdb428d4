package io.fleetform.engine.provider;

import io.fleetform.engine.model.Stage;
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
 * @param share    for an UPDATE by a partial rollout stage of a resource the provider can
 *                 {@linkplain ProviderSession#partitionable partition}: change only this share of its
 *                 instances (the rest keep the prior revision until a later stage changes them all)
 */
public record ApplyRequest(Action action, Optional<ResourceState> prior, Optional<Resource> desired,
                           ProviderContext context, Consumer<String> progress, Optional<Stage.Partition> share) {

    public ApplyRequest(Action action, Optional<ResourceState> prior, Optional<Resource> desired,
                        ProviderContext context, Consumer<String> progress) {
        this(action, prior, desired, context, progress, Optional.empty());
    }
}
