package io.fleetform.engine.provider;

import io.fleetform.engine.model.Fleet;
import java.util.Map;
import java.util.Set;

/**
 * @param targets      the names of the targets ({@code hosts}/{@code cluster} blocks) this provider
 *                     drives; empty for providers that are not target providers (the registry)
 * @param imageDigests image name → digest, from the resolve phase; empty when nothing resolved them
 */
public record ExpandRequest(Fleet fleet, Set<String> targets, ProviderContext context,
                            Map<String, String> imageDigests) {
    public ExpandRequest {
        targets = Set.copyOf(targets);
        imageDigests = Map.copyOf(imageDigests);
    }

    public ExpandRequest(Fleet fleet, Set<String> targets, ProviderContext context) {
        this(fleet, targets, context, Map.of());
    }
}
