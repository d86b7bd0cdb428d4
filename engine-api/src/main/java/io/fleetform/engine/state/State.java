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
 * @param applies the last {@link #APPLIES_KEPT} applies, oldest first, with where their files came from
 * @param rollout the last rollout run, if a rollout ever ran
 */
public record State(int version, String lineage, long serial, Map<ResourceAddress, ResourceState> resources,
                    Map<String, Object> outputs, List<ApplyRecord> applies, Optional<RolloutRecord> rollout) {
    public static final int FORMAT_VERSION = 1;
    /** Enough history to answer "which commit is deployed, and since when"; older entries are dropped. */
    public static final int APPLIES_KEPT = 50;

    public State {
        resources = Collections.unmodifiableMap(new TreeMap<>(resources));
        // Normalised like attributes, so a state read back equals the one written (JSON reads 40L back as 40).
        outputs = Attributes.normalize(outputs);
        applies = List.copyOf(applies.size() > APPLIES_KEPT ? applies.subList(applies.size() - APPLIES_KEPT,
                applies.size()) : applies);
        rollout = rollout == null ? Optional.empty() : rollout;
    }

    public State(int version, String lineage, long serial, Map<ResourceAddress, ResourceState> resources,
                 Map<String, Object> outputs, List<ApplyRecord> applies) {
        this(version, lineage, serial, resources, outputs, applies, Optional.empty());
    }

    public State(int version, String lineage, long serial, Map<ResourceAddress, ResourceState> resources,
                 Map<String, Object> outputs) {
        this(version, lineage, serial, resources, outputs, List.of(), Optional.empty());
    }

    public State withRollout(RolloutRecord record) {
        return new State(version, lineage, serial, resources, outputs, applies, Optional.ofNullable(record));
    }

    public static State empty() {
        return new State(FORMAT_VERSION, UUID.randomUUID().toString(), 0, Map.of(), Map.of());
    }

    /** The last apply, if any has been recorded. */
    public Optional<ApplyRecord> lastApply() {
        return applies.isEmpty() ? Optional.empty() : Optional.of(applies.get(applies.size() - 1));
    }

    /** This state with one more apply remembered (the oldest is dropped past {@link #APPLIES_KEPT}). */
    public State withApply(ApplyRecord record) {
        List<ApplyRecord> more = new ArrayList<>(applies);
        more.add(record);
        return new State(version, lineage, serial, resources, outputs, more, rollout);
    }

    /** This state with other resources, everything else (outputs, history) kept. */
    public State withResources(Map<ResourceAddress, ResourceState> newResources) {
        return new State(version, lineage, serial, newResources, outputs, applies, rollout);
    }

    public Optional<ResourceState> resource(ResourceAddress address) {
        return Optional.ofNullable(resources.get(address));
    }

    public State with(ResourceState resource) {
        Map<ResourceAddress, ResourceState> copy = new TreeMap<>(resources);
        copy.put(resource.address(), resource);
        return new State(version, lineage, serial, copy, outputs, applies, rollout);
    }

    public State without(ResourceAddress address) {
        Map<ResourceAddress, ResourceState> copy = new TreeMap<>(resources);
        copy.remove(address);
        return new State(version, lineage, serial, copy, outputs, applies, rollout);
    }

    public State withOutputs(Map<String, Object> newOutputs) {
        return new State(version, lineage, serial, resources, newOutputs, applies, rollout);
    }

    public State nextSerial() {
        return new State(version, lineage, serial + 1, resources, outputs, applies, rollout);
    }

    public List<ResourceState> list() {
        return new ArrayList<>(resources.values());
    }
}
