package io.fleetform.engine.graph;

import io.fleetform.engine.address.ResourceAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which work must finish before which: nodes are addresses, an edge {@code a → b} means b waits
 * for a. Built once per plan or apply; immutable.
 */
public final class ResourceGraph {
    private final Map<ResourceAddress, Set<ResourceAddress>> waitsFor;
    private final Map<ResourceAddress, Set<ResourceAddress>> unblocks;

    private ResourceGraph(Map<ResourceAddress, Set<ResourceAddress>> waitsFor) {
        this.waitsFor = waitsFor;
        Map<ResourceAddress, Set<ResourceAddress>> reverse = new LinkedHashMap<>();
        waitsFor.keySet().forEach(a -> reverse.put(a, new LinkedHashSet<>()));
        waitsFor.forEach((node, deps) -> deps.forEach(d -> reverse.get(d).add(node)));
        this.unblocks = reverse;
    }

    /** Builds a graph; edges to addresses that are not nodes are dropped (that work is not part of this run). */
    public static ResourceGraph of(Map<ResourceAddress, ? extends Iterable<ResourceAddress>> dependencies) {
        Map<ResourceAddress, Set<ResourceAddress>> waitsFor = new LinkedHashMap<>();
        dependencies.keySet().forEach(a -> waitsFor.put(a, new LinkedHashSet<>()));
        dependencies.forEach((node, deps) -> {
            for (ResourceAddress d : deps) {
                if (waitsFor.containsKey(d) && !d.equals(node)) {
                    waitsFor.get(node).add(d);
                }
            }
        });
        return new ResourceGraph(waitsFor);
    }

    public Set<ResourceAddress> nodes() {
        return Collections.unmodifiableSet(waitsFor.keySet());
    }

    public Set<ResourceAddress> waitsFor(ResourceAddress node) {
        return Collections.unmodifiableSet(waitsFor.getOrDefault(node, Set.of()));
    }

    public Set<ResourceAddress> unblocks(ResourceAddress node) {
        return Collections.unmodifiableSet(unblocks.getOrDefault(node, Set.of()));
    }

    /** A cycle as the list of addresses around it (first repeated at the end), if there is one. */
    public Optional<List<ResourceAddress>> cycle() {
        return cycleIn(waitsFor);
    }

    /**
     * A cycle among these dependencies, as {@link #of} followed by {@link #cycle} would find, without
     * building the graph (a plan checks 220,000 resources; most depend on nothing or on few).
     * Edges to addresses that are not keys and edges of a node to itself are ignored, as in {@link #of}.
     */
    public static Optional<List<ResourceAddress>> cycleIn(
            Map<ResourceAddress, ? extends Iterable<ResourceAddress>> dependencies) {
        return cycleIn(dependencies, deps -> deps);
    }

    /** {@link #cycleIn(Map)} over any nodes, with {@code dependsOn} telling what a node's value depends on. */
    public static <V> Optional<List<ResourceAddress>> cycleIn(Map<ResourceAddress, V> nodes,
            java.util.function.Function<? super V, ? extends Iterable<ResourceAddress>> dependsOn) {
        Map<ResourceAddress, Integer> state = new HashMap<>();
        Deque<ResourceAddress> path = new ArrayDeque<>();
        Deque<java.util.Iterator<? extends ResourceAddress>> iterators = new ArrayDeque<>();
        for (Map.Entry<ResourceAddress, V> entry : nodes.entrySet()) {
            ResourceAddress start = entry.getKey();
            java.util.Iterator<? extends ResourceAddress> first = dependsOn.apply(entry.getValue()).iterator();
            if (!first.hasNext() || state.containsKey(start)) {
                continue; // what depends on nothing is on no cycle
            }
            path.push(start);
            iterators.push(first);
            state.put(start, 1);
            while (!path.isEmpty()) {
                java.util.Iterator<? extends ResourceAddress> it = iterators.peek();
                if (it.hasNext()) {
                    ResourceAddress next = it.next();
                    if (next.equals(path.peek())) {
                        continue;
                    }
                    V value = nodes.get(next);
                    if (value == null) {
                        continue;
                    }
                    Integer s = state.get(next);
                    if (s == null) {
                        state.put(next, 1);
                        path.push(next);
                        iterators.push(dependsOn.apply(value).iterator());
                    } else if (s == 1) {
                        List<ResourceAddress> cycle = new ArrayList<>();
                        List<ResourceAddress> stack = new ArrayList<>(path);
                        Collections.reverse(stack);
                        cycle.addAll(stack.subList(stack.indexOf(next), stack.size()));
                        cycle.add(next);
                        return Optional.of(cycle);
                    }
                } else {
                    state.put(path.pop(), 2);
                    iterators.pop();
                }
            }
        }
        return Optional.empty();
    }

    /** The graph in DOT, for {@code fleetform graph}. */
    public String toDot() {
        StringBuilder dot = new StringBuilder("digraph fleet {\n  rankdir = LR;\n  node [shape = box];\n");
        for (ResourceAddress node : waitsFor.keySet()) {
            dot.append("  \"").append(node).append("\";\n");
        }
        waitsFor.forEach((node, deps) -> deps.forEach(d ->
                dot.append("  \"").append(d).append("\" -> \"").append(node).append("\";\n")));
        return dot.append("}\n").toString();
    }
}
