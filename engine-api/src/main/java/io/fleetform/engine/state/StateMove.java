package io.fleetform.engine.state;

import io.fleetform.engine.address.ResourceAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one implementation of renaming resources in a state, for {@code moved} blocks and
 * {@code state mv}: every resource at {@code from} or under it gets the new prefix, and every
 * {@code depends_on} in the state that pointed at an old address points at the new one. Pure: the
 * providers are told by the engine ({@code Renames}), which re-keys what they own.
 *
 * @param state     the state after the move
 * @param renamed   old address → new address, of every resource that moved
 * @param conflicts resources that could not move because something is already at the new address
 */
public record StateMove(State state, Map<ResourceAddress, ResourceAddress> renamed, List<String> conflicts) {
    public StateMove {
        renamed = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(renamed));
        conflicts = List.copyOf(conflicts);
    }

    public static StateMove of(State state, ResourceAddress from, ResourceAddress to) {
        Map<ResourceAddress, ResourceAddress> renamed = new LinkedHashMap<>();
        List<String> conflicts = new ArrayList<>();
        for (ResourceState r : state.resources().values()) {
            if (!from.contains(r.address())) {
                continue;
            }
            ResourceAddress target = r.address().moved(from, to);
            if (state.resources().containsKey(target)) {
                conflicts.add("cannot move " + r.address() + " to " + target + ": something is already there");
                continue;
            }
            renamed.put(r.address(), target);
        }
        if (renamed.isEmpty()) {
            return new StateMove(state, renamed, conflicts);
        }
        Map<ResourceAddress, ResourceState> next = new LinkedHashMap<>();
        for (ResourceState r : state.resources().values()) {
            ResourceAddress address = renamed.getOrDefault(r.address(), r.address());
            List<ResourceAddress> deps = r.dependsOn().stream().map(d -> renamed.getOrDefault(d, d)).toList();
            next.put(address, new ResourceState(address, r.type(), r.provider(), r.attributes(), r.sensitive(), deps,
                    r.lifecycle()));
        }
        return new StateMove(new State(state.version(), state.lineage(), state.serial(), next, state.outputs()),
                renamed, conflicts);
    }
}
