package io.fleetform.engine.provider;

import io.fleetform.engine.address.ResourceAddress;

/** @param id the provider's own identifier of the object (a container name, a Kubernetes name) */
public record ImportRequest(ResourceAddress address, String type, String id, ProviderContext context) {
}
