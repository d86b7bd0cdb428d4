package io.fleetform.provider.host.probe;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs each instance's probe in the background, every interval, from the first time it is asked
 * about (a gate or {@code rollout status}) while it keeps being asked: an instance nobody asked
 * about for {@link #IDLE} is no longer probed. A new container (a recreate) or a changed probe
 * starts the count again. Answers come from the counts at once; a request never waits for a probe.
 */
public final class Prober implements AutoCloseable {
    /** How long probing continues after the last question. */
    public static final Duration IDLE = Duration.ofMinutes(10);
    private static final System.Logger LOG = System.getLogger(Prober.class.getName());

    private final ContainerExec exec;
    private final java.util.function.Function<String, java.util.List<String>> secretsOf;
    private final NetnsDial netns;
    private final ScheduledExecutorService scheduler;
    private final Map<String, Loop> loops = new ConcurrentHashMap<>();

    /** @param pids how a container's network namespace is found, for probes run inside it */
    public Prober(ContainerExec exec, ContainerPid pids) {
        this(exec, pids, key -> java.util.List.of());
    }

    /**
     * @param secretsOf an instance's secret values by its key: taken out of what its probe saw (a command that prints
     *                  its environment, a server that echoes its token) before it is kept, so no answer of the agent
     *                  ({@code rollout status}, a health gate, the state's rollout record) can carry one
     */
    public Prober(ContainerExec exec, ContainerPid pids,
                  java.util.function.Function<String, java.util.List<String>> secretsOf) {
        this.exec = exec;
        this.secretsOf = secretsOf;
        this.netns = new NetnsDial(pids);
        AtomicInteger n = new AtomicInteger();
        this.scheduler = Executors.newScheduledThreadPool(4, r -> {
            Thread t = new Thread(r, "fleetform-probe-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The probe's status for the instance {@code key}, whose container {@code containerId} is
     * reached as {@code reach} says; starts probing it when this is new.
     */
    public ProbeStatus status(String key, String containerId, Reach reach, ProbeSpec spec) {
        Loop loop = loops.compute(key, (k, old) -> {
            if (old != null && old.spec.equals(spec) && old.containerId.equals(containerId) && old.reach.equals(reach)) {
                return old;
            }
            if (old != null) {
                old.stop();
            }
            return new Loop(k, containerId, reach, spec);
        });
        return loop.status();
    }

    /** Stops probing an instance (its container was removed). */
    public void forget(String key) {
        Loop old = loops.remove(key);
        if (old != null) {
            old.stop();
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        loops.clear();
    }

    private final class Loop implements Runnable {
        final String key;
        final String containerId;
        final Reach reach;
        final ProbeSpec spec;
        final ScheduledFuture<?> future;
        volatile long askedAt = System.nanoTime();
        private int passes;
        private int failures;
        private int runs;
        private String last = "";

        Loop(String key, String containerId, Reach reach, ProbeSpec spec) {
            this.key = key;
            this.containerId = containerId;
            this.reach = reach;
            this.spec = spec;
            this.future = scheduler.scheduleWithFixedDelay(this, 0, spec.intervalMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void run() {
            if (System.nanoTime() - askedAt > IDLE.toNanos()) {
                loops.remove(key, this);
                stop();
                return;
            }
            Outcome o;
            try {
                o = Attempts.run(spec, reach, containerId, exec, netns);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "probing " + key + " failed", e);
                o = Outcome.fail("the probe could not run: " + e.getMessage());
            }
            String seen = redact(o.detail());
            synchronized (this) {
                runs++;
                last = seen;
                if (o.passed()) {
                    passes++;
                    failures = 0;
                } else {
                    failures++;
                    passes = 0;
                }
            }
        }

        private String redact(String detail) {
            String text = detail;
            try {
                for (String secret : secretsOf.apply(key)) {
                    text = text.replace(secret, "(sensitive)");
                }
            } catch (RuntimeException e) {
                // the secrets cannot be read: keep nothing the probe saw rather than risk one
                LOG.log(System.Logger.Level.WARNING, "reading the secrets of " + key + " failed", e);
                return "(not shown: the instance's secrets could not be read to take them out)";
            }
            return text;
        }

        synchronized ProbeStatus status() {
            askedAt = System.nanoTime();
            String state = passes >= spec.healthyAfter() ? ProbeStatus.HEALTHY
                    : failures >= spec.unhealthyAfter() ? ProbeStatus.UNHEALTHY : ProbeStatus.WAITING;
            return new ProbeStatus(spec.describe(), state, passes, failures, runs, last);
        }

        void stop() {
            future.cancel(true);
        }
    }
}
