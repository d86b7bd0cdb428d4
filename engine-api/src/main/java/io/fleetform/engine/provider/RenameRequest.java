package io.fleetform.engine.provider;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.state.ResourceState;

/** @param prior the resource as the state recorded it, still at its old address */
public record RenameRequest(ResourceState prior, ResourceAddress to, ProviderContext context) {
}
