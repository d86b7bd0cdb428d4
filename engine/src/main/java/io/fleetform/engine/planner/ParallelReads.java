package io.fleetform.engine.planner;

import io.fleetform.engine.provider.ProviderContext;
import io.fleetform.engine.provider.ProviderException;
import io.fleetform.engine.provider.ProviderSession;
import io.fleetform.engine.provider.ProviderSessions;
import io.fleetform.engine.provider.ReadRequest;
import io.fleetform.engine.state.ResourceState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The refresh reads of a plan, at most a provider's limit at once: each answer at its resource's index, so what
 * refresh makes of them is the same whatever order they finish in.
 */
final class ParallelReads {
    private static final AtomicInteger THREADS = new AtomicInteger();

    private ParallelReads() {
    }

    /**
     * @return per resource: its {@link io.fleetform.engine.provider.ReadResponse}, the {@link ProviderException} its
     * read failed with, or null when its provider is not installed
     */
    static Object[] read(List<ResourceState> priors, ProviderSessions providers, ProviderContext context,
                         int parallelism) {
        Object[] answers = new Object[priors.size()];
        // The resources of each installed provider, by index; each provider gets its own workers.
        Map<String, List<Integer>> byProvider = new LinkedHashMap<>();
        Map<String, ProviderSession> sessions = new LinkedHashMap<>();
        for (int i = 0; i < priors.size(); i++) {
            String name = priors.get(i).provider();
            if (!sessions.containsKey(name)) {
                Optional<ProviderSession> session = providers.get(name);
                if (session.isEmpty()) {
                    continue; // not installed: its answer stays null
                }
                sessions.put(name, session.get());
            }
            byProvider.computeIfAbsent(name, n -> new ArrayList<>()).add(i);
        }
        List<Thread> workers = new ArrayList<>();
        AtomicReference<Throwable> bug = new AtomicReference<>();
        for (Map.Entry<String, List<Integer>> entry : byProvider.entrySet()) {
            ProviderSession session = sessions.get(entry.getKey());
            List<Integer> indexes = entry.getValue();
            int limit = Math.min(indexes.size(), Math.max(1, session.parallelism(parallelism, context)));
            AtomicInteger next = new AtomicInteger();
            Runnable work = () -> {
                for (int k = next.getAndIncrement(); k < indexes.size() && bug.get() == null;
                     k = next.getAndIncrement()) {
                    int index = indexes.get(k);
                    answers[index] = readOne(priors.get(index), session, context);
                }
            };
            if (limit == 1 && byProvider.size() == 1) {
                work.run(); // one at a time: on this thread
                continue;
            }
            for (int w = 0; w < limit; w++) {
                // Daemon threads: an interrupted plan ends the process at once, without waiting for reads in flight.
                Thread t = new Thread(work, "fleetform-refresh-" + THREADS.incrementAndGet());
                t.setDaemon(true);
                t.setUncaughtExceptionHandler((thread, e) -> bug.compareAndSet(null, e));
                workers.add(t);
                t.start();
            }
        }
        for (Thread t : workers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                workers.forEach(Thread::interrupt);
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while refreshing", e);
            }
        }
        // A provider's bug is not a refresh failure: it goes on as it would from a read on this thread.
        Throwable failed = bug.get();
        if (failed instanceof RuntimeException r) {
            throw r;
        }
        if (failed instanceof Error e) {
            throw e;
        }
        return answers;
    }

    private static Object readOne(ResourceState prior, ProviderSession session, ProviderContext context) {
        try {
            return session.read(new ReadRequest(prior, context));
        } catch (ProviderException e) {
            return e;
        }
    }
}
