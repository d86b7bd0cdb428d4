package io.fleetform.provider.host.probe;

/**
 * How an instance's probe is doing (answer of {@code POST /v1/probes/{key}}).
 *
 * @param probe    the probe in words
 * @param state    {@code healthy} ({@code healthyAfter} passes in a row), {@code unhealthy}
 *                 ({@code unhealthyAfter} failures in a row) or {@code waiting} (neither yet)
 * @param passes   passes in a row now
 * @param failures failures in a row now
 * @param runs     probes run since the agent started probing this container
 * @param last     what the last probe saw ("answered 200", "connection refused"), empty before the first
 */
public record ProbeStatus(String probe, String state, int passes, int failures, int runs, String last) {
    public static final String HEALTHY = "healthy";
    public static final String UNHEALTHY = "unhealthy";
    public static final String WAITING = "waiting";
}
