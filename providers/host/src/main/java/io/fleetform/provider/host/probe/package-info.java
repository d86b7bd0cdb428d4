/**
 * Health probes the agent runs against its containers: a TCP connect, an HTTP {@code GET} or a
 * command inside the container, every {@code interval}, counted in a row so a rollout gate can
 * wait for {@code healthy_after} passes and fail after {@code unhealthy_after} failures.
 */
package io.fleetform.provider.host.probe;
