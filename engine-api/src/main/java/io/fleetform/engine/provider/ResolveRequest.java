package io.fleetform.engine.provider;

import io.fleetform.engine.model.Fleet;

/** Before expansion: a provider may look things up that other providers need (image digests). */
public record ResolveRequest(Fleet fleet, ProviderContext context) {
}
