package io.fleetform.engine.provider;

/**
 * Turns part of the fleet into resources and makes them real. Found with
 * {@link java.util.ServiceLoader}; the engine never names one. Every operation takes one
 * small request record and returns one response record; mistakes the user can fix come back
 * as diagnostics, failures of the infrastructure as {@link ProviderException}.
 * Every implementation must pass the shared {@code ProviderContract} tests.
 */
public interface Provider {

    /** The name fleets use to pick this provider ({@code hosts "x" { provider = "host" }}). */
    String name();

    /**
     * Looks up, before any expansion, what other providers need (a registry provider resolves
     * image tags to digests). Most providers have nothing to resolve.
     */
    default ResolveResponse resolve(ResolveRequest request) {
        return ResolveResponse.NONE;
    }

    /** The resources this provider manages for the fleet: what should exist. */
    ExpandResponse expand(ExpandRequest request);

    /** Refresh: what one resource looks like now, or that it is gone. */
    ReadResponse read(ReadRequest request) throws ProviderException;

    /** Which of the changed attributes cannot be changed in place. */
    DiffResponse diff(DiffRequest request);

    /** Makes one change. Must be idempotent: the engine retries after transient failures and crashes. */
    ApplyResponse apply(ApplyRequest request) throws ProviderException;

    /**
     * Checks one planned change against what exists now, at plan time: whether a new object's
     * name is taken, whether an update would conflict with another writer, what a deletion must
     * leave. Most providers have nothing to check.
     */
    default CheckResponse check(CheckRequest request) throws ProviderException {
        return CheckResponse.PROCEED;
    }

    /**
     * How an applied resource is doing now, from its servers: running and not restarting,
     * rolled out and ready. Rollout gates ask this for {@code healthy_for} after a stage's
     * changes. Resources without servers of their own answer {@link HealthResponse#UNKNOWN},
     * which a gate lets pass.
     */
    default HealthResponse health(HealthRequest request) throws ProviderException {
        return HealthResponse.UNKNOWN;
    }

    /** Adopts an existing object into the state. */
    ImportResponse importResource(ImportRequest request) throws ProviderException;
}
