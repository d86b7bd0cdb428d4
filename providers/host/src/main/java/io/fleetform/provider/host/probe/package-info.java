/**
 * Health probes the agent runs against its containers: a TCP connect, an HTTP {@code GET} or a
 * command inside the container, every {@code interval}, counted in a row so a rollout gate can
 * wait for {@code healthy_after} passes and fail after {@code unhealthy_after} failures. TCP and
 * HTTP connect from the agent's network namespace or from the container's, as {@link
 * io.fleetform.provider.host.probe.Reach} says.
 */
package io.fleetform.provider.host.probe;
