package io.fleetform.engine.provider;

import io.fleetform.engine.resource.Resource;

/** @param desired a resource of the fleet that the state does not have */
public record AdoptRequest(Resource desired, ProviderContext context) {
}
