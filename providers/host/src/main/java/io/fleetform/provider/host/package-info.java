/**
 * Host provider for Fleetform: game-server "light VMs", one Docker container per instance, pinned to
 * NUMA-local cores with a fixed IP and a data directory. The per-host agent lives in
 * {@link io.fleetform.provider.host.agent}; the provider (engine side) talks to it with
 * {@link io.fleetform.provider.host.agent.AgentClient}.
 */
package io.fleetform.provider.host;
