package io.fleetform.engine.graph;

import io.fleetform.engine.address.ResourceAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Runs work over a graph with at most {@code parallelism} nodes at once. A node starts when
 * everything it waits for succeeded. When a node fails, what waits for it is skipped and
 * independent branches go on. When {@code stop} turns true, nothing new starts and the
 * nodes in flight finish.
 */
public final class GraphWalker {

    /** What happened to a node. */
    public enum Outcome {
        SUCCEEDED, FAILED, SKIPPED, NOT_STARTED
    }

    /** The work for one node: true if it succeeded. It must not throw. */
    @FunctionalInterface
    public interface Work {
        boolean run(ResourceAddress node);
    }

    private final int parallelism;

    public GraphWalker(int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1");
        }
        this.parallelism = parallelism;
    }

    public Map<ResourceAddress, Outcome> walk(ResourceGraph graph, Work work, BooleanSupplier stop)
            throws InterruptedException {
        Map<ResourceAddress, Outcome> outcomes = new LinkedHashMap<>();
        Map<ResourceAddress, Integer> waiting = new HashMap<>();
        Deque<ResourceAddress> ready = new ArrayDeque<>();
        for (ResourceAddress node : graph.nodes()) {
            int count = graph.waitsFor(node).size();
            waiting.put(node, count);
            if (count == 0) {
                ready.add(node);
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, Math.max(1, graph.nodes().size())),
                r -> {
                    Thread t = new Thread(r, "fleetform-apply");
                    t.setDaemon(true);
                    return t;
                });
        Object lock = new Object();
        int[] running = {0};
        AtomicBoolean stopped = new AtomicBoolean();
        try {
            synchronized (lock) {
                while (true) {
                    if (!stopped.get() && stop.getAsBoolean()) {
                        stopped.set(true);
                    }
                    while (!stopped.get() && running[0] < parallelism && !ready.isEmpty()) {
                        ResourceAddress node = ready.poll();
                        running[0]++;
                        pool.execute(() -> {
                            boolean ok;
                            try {
                                ok = work.run(node);
                            } catch (RuntimeException e) {
                                ok = false;
                            }
                            synchronized (lock) {
                                running[0]--;
                                outcomes.put(node, ok ? Outcome.SUCCEEDED : Outcome.FAILED);
                                if (ok) {
                                    for (ResourceAddress next : graph.unblocks(node)) {
                                        if (waiting.merge(next, -1, Integer::sum) == 0 && !outcomes.containsKey(next)) {
                                            ready.add(next);
                                        }
                                    }
                                } else {
                                    skipDependents(graph, node, outcomes);
                                }
                                lock.notifyAll();
                            }
                        });
                    }
                    if (running[0] == 0 && (ready.isEmpty() || stopped.get())) {
                        break;
                    }
                    lock.wait(200);
                }
                for (ResourceAddress node : graph.nodes()) {
                    outcomes.putIfAbsent(node, Outcome.NOT_STARTED);
                }
            }
        } finally {
            pool.shutdown();
        }
        return outcomes;
    }

    private static void skipDependents(ResourceGraph graph, ResourceAddress failed, Map<ResourceAddress, Outcome> out) {
        Deque<ResourceAddress> todo = new ArrayDeque<>(graph.unblocks(failed));
        while (!todo.isEmpty()) {
            ResourceAddress next = todo.poll();
            if (out.putIfAbsent(next, Outcome.SKIPPED) == null) {
                todo.addAll(graph.unblocks(next));
            }
        }
    }
}
