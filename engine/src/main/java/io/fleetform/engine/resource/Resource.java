package io.fleetform.engine.resource;

import io.fleetform.engine.address.ResourceAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A desired resource, as a provider expands it from the fleet model: what should exist.
 *
 * @param attributes what the provider needs to create it: strings, whole numbers (bytes,
 *                   millicores...), booleans, lists and maps of those. Values of the names in
 *                   {@code sensitive} are secrets: they are used to apply, never stored or shown.
 * @param dependsOn  resources that must exist first (and be deleted last)
 */
public record Resource(ResourceAddress address, String type, String provider, Map<String, Object> attributes,
                       Set<String> sensitive, List<ResourceAddress> dependsOn, ResourceLifecycle lifecycle) {

    public Resource {
        attributes = Attributes.normalize(attributes);
        sensitive = Set.copyOf(sensitive);
        dependsOn = List.copyOf(dependsOn);
    }
}
