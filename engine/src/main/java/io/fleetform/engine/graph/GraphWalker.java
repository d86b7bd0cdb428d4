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
 * Runs work over a graph with at most {@code parallelism} nodes at once (or per pool, see the constructors). A node starts when
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
    private final java.util.function.Function<ResourceAddress, String> pool;
    private final java.util.function.ToIntFunction<String> poolSize;

    public GraphWalker(int parallelism) {
        this(parallelism, node -> "", p -> parallelism);
    }

    /**
     * Nodes in pools, each with its own limit: at most {@code poolSize} nodes of one pool at once (the
     * applier's pools are the providers, some of whose changes mostly wait on a remote and can run more at once).
     *
     * @param parallelism the limit of a pool whose size is not positive
     */
    public GraphWalker(int parallelism, java.util.function.Function<ResourceAddress, String> pool,
                       java.util.function.ToIntFunction<String> poolSize) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1");
        }
        this.parallelism = parallelism;
        this.pool = pool;
        this.poolSize = poolSize;
    }

    private int limit(String name) {
        int size = poolSize.applyAsInt(name);
        return size > 0 ? size : parallelism;
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
        // as many threads as nodes run at once: each pool's limit bounds them
        ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fleetform-apply");
            t.setDaemon(true);
            return t;
        });
        Object lock = new Object();
        int[] running = {0};
        Map<String, Integer> inPool = new HashMap<>();
        Map<String, Integer> limits = new HashMap<>();
        AtomicBoolean stopped = new AtomicBoolean();
        try {
            synchronized (lock) {
                while (true) {
                    if (!stopped.get() && stop.getAsBoolean()) {
                        stopped.set(true);
                    }
                    for (java.util.Iterator<ResourceAddress> it = ready.iterator(); !stopped.get() && it.hasNext(); ) {
                        ResourceAddress node = it.next();
                        String in = pool.apply(node);
                        if (inPool.getOrDefault(in, 0) >= limits.computeIfAbsent(in, this::limit)) {
                            continue; // its pool is full: it keeps its place
                        }
                        it.remove();
                        running[0]++;
                        inPool.merge(in, 1, Integer::sum);
                        threads.execute(() -> {
                            boolean ok;
                            try {
                                ok = work.run(node);
                            } catch (RuntimeException e) {
                                ok = false;
                            }
                            synchronized (lock) {
                                running[0]--;
                                inPool.merge(in, -1, Integer::sum);
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
            threads.shutdown();
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
