package io.fleetform.engine.provider;

/**
 * Turns part of the fleet into resources and makes them real. Found with
 * {@link java.util.ServiceLoader}; the engine never names one. A provider is only a factory: the
 * engine opens one {@link ProviderSession} per command run, configured from the fleet and from what
 * the state recorded, uses it for every operation of that run and closes it at the end. Clients
 * (HTTP clients, Kubernetes clients) belong to the session, never to static fields.
 * Every implementation must pass the shared {@code ProviderContract} tests.
 */
public interface Provider {

    /** The name fleets use to pick this provider ({@code hosts "x" { provider = "host" }}). */
    String name();

    /**
     * Opens a session for one run. Must be cheap and must not reach the infrastructure: a
     * session that is never used costs nothing.
     */
    ProviderSession open(SessionRequest request);
}
