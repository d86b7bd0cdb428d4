package io.fleetform.engine.provider;

/**
 * How a resource is doing, from the servers themselves.
 *
 * @param health   what a health gate makes of it
 * @param detail   in words, for the rollout's status ("restarting, 3 restarts, last exit code 1")
 * @param restarts how many times its processes restarted so far (a gate fails when it grows), or -1 if unknown
 */
public record HealthResponse(Health health, String detail, long restarts) {

    /** What a gate does with it: wait while progressing, fail on unhealthy, pass on healthy or unknown. */
    public enum Health {
        HEALTHY, PROGRESSING, UNHEALTHY, UNKNOWN
    }

    /** For resources with no servers of their own (a ConfigMap, an image): nothing to wait for. */
    public static final HealthResponse UNKNOWN = new HealthResponse(Health.UNKNOWN, "no health signal", -1);

    public HealthResponse {
        detail = detail == null ? "" : detail;
    }

    public static HealthResponse healthy(String detail, long restarts) {
        return new HealthResponse(Health.HEALTHY, detail, restarts);
    }

    public static HealthResponse progressing(String detail, long restarts) {
        return new HealthResponse(Health.PROGRESSING, detail, restarts);
    }

    public static HealthResponse unhealthy(String detail, long restarts) {
        return new HealthResponse(Health.UNHEALTHY, detail, restarts);
    }
}
