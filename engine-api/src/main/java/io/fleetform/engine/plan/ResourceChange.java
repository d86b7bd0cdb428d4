package io.fleetform.engine.plan;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.resource.ResourceLifecycle;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The planned change of one resource, with its attribute-level details. {@code before} and
 * {@code after} never hold a secret in clear.
 *
 * @param reason why, in words ("image changes need a new container", "not in the configuration")
 */
public record ResourceChange(ResourceAddress address, String type, String provider, Action action,
                             Map<String, Object> before, Map<String, Object> after, Set<String> sensitive,
                             List<AttributeChange> changes, String reason, List<ResourceAddress> dependsOn,
                             ResourceLifecycle lifecycle) {

    public ResourceChange {
        before = sorted(before);
        after = sorted(after);
        sensitive = Set.copyOf(sensitive);
        changes = List.copyOf(changes);
        dependsOn = List.copyOf(dependsOn);
    }

    /** Sorted and immutable; normalised attributes already are (and are shared, not copied). */
    private static Map<String, Object> sorted(Map<String, Object> attributes) {
        if (attributes == null) {
            return Map.of();
        }
        return io.fleetform.engine.resource.Attributes.isNormal(attributes) ? attributes
                : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(attributes));
    }
}
