package io.fleetform.engine.model;

import io.fleetform.dsl.source.SourceSpan;
import java.time.Duration;
import java.util.List;

/**
 * A service's own health probe ({@code health { http = "/healthz"  port = "http" }}): what the
 * host agent runs against each instance's container (and Kubernetes as the pod's readiness probe),
 * and what a rollout's {@code healthy} gate waits for on top of "running, not restarting".
 *
 * @param probe          what is tried each time
 * @param interval       how often
 * @param timeout        how long one try may take
 * @param healthyAfter   passes in a row before the instance counts as healthy
 * @param unhealthyAfter failures in a row before it counts as unhealthy (a gate fails on it at once)
 */
public record HealthCheck(Probe probe, Duration interval, Duration timeout, int healthyAfter, int unhealthyAfter,
                          SourceSpan span) {

    /** One kind of probe. */
    public sealed interface Probe {
        /** In words, for plans and the gate: {@code http /healthz on 8080}. */
        String describe();
    }

    /** A TCP connection to the container's port is accepted. */
    public record Tcp(int port) implements Probe {
        @Override
        public String describe() {
            return "tcp " + port;
        }
    }

    /** {@code GET path} on the container's port answers 2xx or 3xx. */
    public record Http(String path, int port) implements Probe {
        @Override
        public String describe() {
            return "http " + path + " on " + port;
        }
    }

    /** The command, run inside the container, exits with 0. */
    public record Exec(List<String> command) implements Probe {
        public Exec {
            command = List.copyOf(command);
        }

        @Override
        public String describe() {
            return "exec " + String.join(" ", command);
        }
    }
}
