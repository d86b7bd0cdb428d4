package io.fleetform.engine.provider;

import io.fleetform.engine.model.Fleet;

/** @param targets the names of the targets ({@code hosts}/{@code cluster} blocks) this provider drives */
public record ExpandRequest(Fleet fleet, java.util.Set<String> targets, ProviderContext context) {
    public ExpandRequest {
        targets = java.util.Set.copyOf(targets);
    }
}
