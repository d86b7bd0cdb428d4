package io.fleetform.engine.rollout;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.provider.HealthRequest;
import io.fleetform.engine.provider.HealthResponse;
import io.fleetform.engine.provider.ProviderContext;
import io.fleetform.engine.provider.ProviderException;
import io.fleetform.engine.provider.ProviderSession;
import io.fleetform.engine.provider.ProviderSessions;
import io.fleetform.engine.state.ResourceState;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The {@code healthy} gate of a stage: asks the providers how the stage's changed resources are
 * doing, from their servers, until all of them have been healthy (or have no health signal) for
 * {@code healthy_for} without a restart. A resource reported unhealthy (a container restarting or
 * exited, a pod crash-looping) or one whose restart count grows fails the gate at once; one still
 * progressing when the timeout passes fails it too. A failed health call (an API outage) counts
 * as not healthy yet, never as healthy.
 */
public final class HealthGate {
    /** @param healthy whether the gate opened; {@code why} says what was seen either way */
    public record Result(boolean healthy, String why) {
    }

    private final ProviderSessions providers;
    private final ProviderContext context;
    private final Duration timeout;
    private final Duration poll;

    public HealthGate(ProviderSessions providers, ProviderContext context, Duration timeout, Duration poll) {
        this.providers = providers;
        this.context = context;
        this.timeout = timeout;
        this.poll = poll;
    }

    public Result await(Collection<ResourceState> resources, Duration healthyFor, BooleanSupplier interrupted,
                        Consumer<String> progress) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos() + healthyFor.toNanos();
        Map<ResourceAddress, Long> baseline = new HashMap<>();
        long healthySince = -1;
        String last = "";
        while (true) {
            if (interrupted.getAsBoolean()) {
                return new Result(false, "interrupted while waiting for health");
            }
            String waiting = "";
            boolean signal = false;
            for (ResourceState r : resources) {
                HealthResponse h = ask(r);
                signal |= h.health() != HealthResponse.Health.UNKNOWN;
                if (h.health() == HealthResponse.Health.UNHEALTHY) {
                    return new Result(false, r.address() + " is unhealthy: " + h.detail());
                }
                if (h.restarts() >= 0) {
                    Long before = baseline.putIfAbsent(r.address(), h.restarts());
                    if (before != null && h.restarts() > before) {
                        return new Result(false, r.address() + " restarted " + (h.restarts() - before)
                                + " time(s) while the gate watched it (" + h.detail() + ")");
                    }
                }
                if (h.health() == HealthResponse.Health.PROGRESSING && waiting.isEmpty()) {
                    waiting = r.address() + ": " + h.detail();
                }
            }
            long now = System.nanoTime();
            if (!signal) {
                return new Result(true, "no health signal from " + resources.size() + " resource(s): their changes "
                        + "were made");
            }
            if (waiting.isEmpty()) {
                healthySince = healthySince < 0 ? now : healthySince;
                if (now - healthySince >= healthyFor.toNanos()) {
                    return new Result(true, resources.size() + " resource(s) healthy for " + human(healthyFor));
                }
                waiting = "healthy for " + human(Duration.ofNanos(now - healthySince)) + " of " + human(healthyFor);
            } else {
                healthySince = -1;
            }
            if (now > deadline) {
                return new Result(false, "not healthy within " + human(timeout) + ": " + waiting);
            }
            if (!waiting.equals(last)) {
                progress.accept(waiting);
                last = waiting;
            }
            Thread.sleep(poll.toMillis());
        }
    }

    private HealthResponse ask(ResourceState r) {
        ProviderSession provider = providers.get(r.provider()).orElse(null);
        if (provider == null) {
            return HealthResponse.UNKNOWN;
        }
        try {
            return provider.health(new HealthRequest(r, context));
        } catch (ProviderException | RuntimeException e) {
            return HealthResponse.progressing("health check failed: " + e.getMessage(), -1);
        }
    }

    public static String human(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0);
    }
}
