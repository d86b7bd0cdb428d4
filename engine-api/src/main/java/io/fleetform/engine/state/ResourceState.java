package io.fleetform.engine.state;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.resource.Attributes;
import io.fleetform.engine.resource.ResourceLifecycle;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the state records of one resource. Sensitive attributes hold only
 * {@code "sha256:<hex>"} of their value (salted with the state's lineage), enough to see
 * that a secret changed, never enough to recover it.
 */
public record ResourceState(ResourceAddress address, String type, String provider, Map<String, Object> attributes,
                            Set<String> sensitive, List<ResourceAddress> dependsOn, ResourceLifecycle lifecycle) {

    public ResourceState {
        attributes = Attributes.normalize(attributes);
        sensitive = Set.copyOf(sensitive);
        dependsOn = List.copyOf(dependsOn);
        lifecycle = lifecycle == null ? ResourceLifecycle.DEFAULT : lifecycle;
    }

    public ResourceState withAddress(ResourceAddress newAddress) {
        return new ResourceState(newAddress, type, provider, attributes, sensitive, dependsOn, lifecycle);
    }
}
