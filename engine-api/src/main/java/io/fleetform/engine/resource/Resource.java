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
 * @param zone       the zone it belongs to, which decides its rollout stage; empty for resources
 *                   shared by the fleet (an image, a namespace), which go before every stage
 */
public record Resource(ResourceAddress address, String type, String provider, Map<String, Object> attributes,
                       Set<String> sensitive, List<ResourceAddress> dependsOn, ResourceLifecycle lifecycle,
                       String zone) {

    public Resource {
        attributes = Attributes.normalize(attributes);
        sensitive = Set.copyOf(sensitive);
        dependsOn = List.copyOf(dependsOn);
        zone = zone == null ? "" : zone;
    }

    /** A resource whose zone, if any, is in its address ({@code zone.s1.service.logic[0]}). */
    public Resource(ResourceAddress address, String type, String provider, Map<String, Object> attributes,
                    Set<String> sensitive, List<ResourceAddress> dependsOn, ResourceLifecycle lifecycle) {
        this(address, type, provider, attributes, sensitive, dependsOn, lifecycle, address.zone());
    }
}
