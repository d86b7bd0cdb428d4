package io.fleetform.engine.state;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.resource.Attributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
        resources = Frozen.of(resources);
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
        return new State(version, lineage, serial, ((Frozen) resources).with(resource), outputs, applies, rollout);
    }

    /**
     * This state with many resources put and removed at once: one copy of the resource map however many change
     * (a refresh of many drifted resources must not copy the state once per resource).
     */
    public State withChanges(Map<ResourceAddress, ResourceState> put, Set<ResourceAddress> removed) {
        if (put.isEmpty() && removed.isEmpty()) {
            return this;
        }
        Map<ResourceAddress, ResourceState> merged = new TreeMap<>(resources);
        removed.forEach(merged::remove);
        put.forEach((address, resource) -> {
            if (!address.equals(resource.address())) {
                throw new IllegalArgumentException("resource " + resource.address() + " put under " + address);
            }
            merged.put(address, resource);
        });
        return new State(version, lineage, serial, merged, outputs, applies, rollout);
    }

    /** How many resource maps states have built so far (each a linear copy), for tests of how often state is copied. */
    public static long resourceMapCopies() {
        return Frozen.COPIES.sum();
    }

    public State without(ResourceAddress address) {
        return new State(version, lineage, serial, ((Frozen) resources).without(address), outputs, applies, rollout);
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

    /**
     * The resources, sorted by address and immutable: a hash map kept in address order, so a look-up
     * does not compare long addresses and iterating is in order. A state made from another state's
     * resources shares them; one resource more or less is a linear copy, never a sort.
     */
    private static final class Frozen extends java.util.AbstractMap<ResourceAddress, ResourceState> {
        static final java.util.concurrent.atomic.LongAdder COPIES = new java.util.concurrent.atomic.LongAdder();
        private final Map<ResourceAddress, ResourceState> sorted;

        private Frozen(java.util.LinkedHashMap<ResourceAddress, ResourceState> sorted) {
            this.sorted = Collections.unmodifiableMap(sorted);
            COPIES.increment();
        }

        static Frozen of(Map<ResourceAddress, ResourceState> resources) {
            if (resources instanceof Frozen frozen) {
                return frozen;
            }
            if (!(resources instanceof java.util.SortedMap<?, ?> s && s.comparator() == null) && !inOrder(resources)) {
                resources = new TreeMap<>(resources);
            }
            return new Frozen(new java.util.LinkedHashMap<>(resources));
        }

        /** Whether the map already iterates in address order (a decoded state does: it was written so). */
        private static boolean inOrder(Map<ResourceAddress, ResourceState> resources) {
            ResourceAddress previous = null;
            for (ResourceAddress a : resources.keySet()) {
                if (previous != null && previous.compareTo(a) >= 0) {
                    return false;
                }
                previous = a;
            }
            return true;
        }

        Frozen with(ResourceState resource) {
            java.util.LinkedHashMap<ResourceAddress, ResourceState> copy = new java.util.LinkedHashMap<>();
            ResourceAddress address = resource.address();
            if (sorted.containsKey(address)) {
                sorted.forEach((a, r) -> copy.put(a, a.equals(address) ? resource : r));
                return new Frozen(copy);
            }
            boolean placed = false;
            for (Map.Entry<ResourceAddress, ResourceState> e : sorted.entrySet()) {
                if (!placed && address.compareTo(e.getKey()) < 0) {
                    copy.put(address, resource);
                    placed = true;
                }
                copy.put(e.getKey(), e.getValue());
            }
            if (!placed) {
                copy.put(address, resource);
            }
            return new Frozen(copy);
        }

        Frozen without(ResourceAddress address) {
            java.util.LinkedHashMap<ResourceAddress, ResourceState> copy = new java.util.LinkedHashMap<>(sorted);
            copy.remove(address);
            return new Frozen(copy);
        }

        @Override
        public Set<Entry<ResourceAddress, ResourceState>> entrySet() {
            return sorted.entrySet();
        }

        @Override
        public Set<ResourceAddress> keySet() {
            return sorted.keySet();
        }

        @Override
        public java.util.Collection<ResourceState> values() {
            return sorted.values();
        }

        @Override
        public int size() {
            return sorted.size();
        }

        @Override
        public boolean isEmpty() {
            return sorted.isEmpty();
        }

        @Override
        public ResourceState get(Object key) {
            return sorted.get(key);
        }

        @Override
        public boolean containsKey(Object key) {
            return sorted.containsKey(key);
        }

        @Override
        public void forEach(java.util.function.BiConsumer<? super ResourceAddress, ? super ResourceState> action) {
            sorted.forEach(action);
        }

        @Override
        public boolean equals(Object o) {
            return o == this || sorted.equals(o);
        }

        @Override
        public int hashCode() {
            return sorted.hashCode();
        }
    }
}
