package io.fleetform.engine.model;

import io.fleetform.dsl.source.SourceSpan;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A shard of a game: a set of services placed together in one IDC (and one IDC module).
 *
 * @param group  the {@code zones} block it came from ({@code s} for s1..s40), or its own name
 * @param index  its number in the group, 1-based for ranges
 * @param origin the module that declared it, empty for the root fleet
 */
public record Zone(String name, String group, int index, String idc, Optional<String> module,
                   Map<String, String> labels, List<Service> services, Lifecycle lifecycle,
                   Optional<String> origin, SourceSpan span) {

    public Zone {
        labels = Map.copyOf(labels);
        services = List.copyOf(services);
    }

    public String address() {
        return "zone." + name;
    }

    public Optional<Service> service(String name) {
        return services.stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
