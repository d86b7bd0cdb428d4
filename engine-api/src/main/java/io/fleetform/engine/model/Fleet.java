package io.fleetform.engine.model;

import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.value.Value;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The evaluated, validated fleet: what the files say, typed. */
public record Fleet(
        String name,
        String owner,
        Map<String, String> labels,
        Map<String, Value> variables,
        List<Registry> registries,
        List<Image> images,
        List<Cluster> clusters,
        List<HostPool> hostPools,
        List<Idc> idcs,
        List<Zone> zones,
        List<Rollout> rollouts,
        List<Output> outputs,
        List<Moved> moved,
        SourceSpan span) {

    public Fleet {
        labels = Map.copyOf(labels);
        variables = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(variables));
        registries = List.copyOf(registries);
        images = List.copyOf(images);
        clusters = List.copyOf(clusters);
        hostPools = List.copyOf(hostPools);
        idcs = List.copyOf(idcs);
        zones = List.copyOf(zones);
        rollouts = List.copyOf(rollouts);
        outputs = List.copyOf(outputs);
        moved = List.copyOf(moved);
    }

    public Optional<Idc> idc(String name) {
        return idcs.stream().filter(i -> i.name().equals(name)).findFirst();
    }

    public Optional<Image> image(String name) {
        return images.stream().filter(i -> i.name().equals(name)).findFirst();
    }

    public Optional<Registry> registry(String name) {
        return registries.stream().filter(r -> r.name().equals(name)).findFirst();
    }

    public Optional<Zone> zone(String name) {
        return zones.stream().filter(z -> z.name().equals(name)).findFirst();
    }

    public int serviceCount() {
        return zones.stream().mapToInt(z -> z.services().size()).sum();
    }

    public int instanceCount() {
        return zones.stream().flatMap(z -> z.services().stream()).mapToInt(Service::replicas).sum();
    }
}
