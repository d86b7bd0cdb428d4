package io.fleetform.engine.provider;

import io.fleetform.engine.resource.Resource;
import io.fleetform.engine.state.ResourceState;
import java.util.Set;

/** @param changed the attribute names whose values differ between prior and desired */
public record DiffRequest(ResourceState prior, Resource desired, Set<String> changed) {
    public DiffRequest {
        changed = Set.copyOf(changed);
    }
}
