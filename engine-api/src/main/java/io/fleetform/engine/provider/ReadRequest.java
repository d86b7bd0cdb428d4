package io.fleetform.engine.provider;

import io.fleetform.engine.state.ResourceState;

public record ReadRequest(ResourceState prior, ProviderContext context) {
}
