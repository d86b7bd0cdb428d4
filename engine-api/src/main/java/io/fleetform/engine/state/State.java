package io.fleetform.engine.state;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.resource.Attributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The recorded world: every resource Fleetform manages, by address. {@code lineage} names a
 * state for its whole life; {@code serial} grows with every write, so a plan made against one
 * serial can tell that the state moved on.
 *
 * @param outputs output values after the last apply; sensitive ones are stored as hashes
 * @param rollout the last rollout run, if a rollout ever ran
 */
public record State(int version, String lineage, long serial, Map<ResourceAddress, ResourceState> resources,
                    Map<String, Object> outputs, Optional<RolloutRecord> rollout) {
    public static final int FORMAT_VERSION = 1;

    public State {
        resources = Collections.unmodifiableMap(new TreeMap<>(resources));
        // Normalised like attributes, so a state read back equals the one written (JSON reads 40L back as 40).
        outputs = Attributes.normalize(outputs);
        rollout = rollout == null ? Optional.empty() : rollout;
    }

    public State(int version, String lineage, long serial, Map<ResourceAddress, ResourceState> resources,
                 Map<String, Object> outputs) {
        this(version, lineage, serial, resources, outputs, Optional.empty());
    }

    public State withRollout(RolloutRecord record) {
        return new State(version, lineage, serial, resources, outputs, Optional.ofNullable(record));
    }

    public State withResources(Map<ResourceAddress, ResourceState> newResources) {
        return new State(version, lineage, serial, newResources, outputs, rollout);
    }

    public static State empty() {
        return new State(FORMAT_VERSION, UUID.randomUUID().toString(), 0, Map.of(), Map.of());
    }

    public Optional<ResourceState> resource(ResourceAddress address) {
        return Optional.ofNullable(resources.get(address));
    }

    public State with(ResourceState resource) {
        Map<ResourceAddress, ResourceState> copy = new TreeMap<>(resources);
        copy.put(resource.address(), resource);
        return new State(version, lineage, serial, copy, outputs, rollout);
    }

    public State without(ResourceAddress address) {
        Map<ResourceAddress, ResourceState> copy = new TreeMap<>(resources);
        copy.remove(address);
        return new State(version, lineage, serial, copy, outputs, rollout);
    }

    public State withOutputs(Map<String, Object> newOutputs) {
        return new State(version, lineage, serial, resources, newOutputs, rollout);
    }

    public State nextSerial() {
        return new State(version, lineage, serial + 1, resources, outputs, rollout);
    }

    public List<ResourceState> list() {
        return new ArrayList<>(resources.values());
    }
}
