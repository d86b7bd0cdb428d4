package io.fleetform.engine.provider;

import io.fleetform.engine.state.ResourceState;

/** Asks how one applied resource is doing now, as its servers tell it (a rollout gate asks this). */
public record HealthRequest(ResourceState resource, ProviderContext context) {
}
