package io.fleetform.engine.provider;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.state.ResourceState;
import java.util.Collection;
import java.util.Map;

/**
 * One provider for one command run (configure → use → close). Every operation takes one small
 * request record and returns one response record; mistakes the user can fix come back as
 * diagnostics, failures of the infrastructure as {@link ProviderException}. A session may be used
 * from several threads at once (apply runs changes in parallel).
 */
public interface ProviderSession extends AutoCloseable {

    /**
     * Looks up, before any expansion, what other providers need (a registry provider resolves
     * image tags to digests). Most providers have nothing to resolve. What it finds wrong concerns only what the
     * fleet's resources would be made or changed from (see {@link ChangeOnly}): a destroy, which works from the
     * state, goes on without it.
     */
    default ResolveResponse resolve(ResolveRequest request) {
        return ResolveResponse.NONE;
    }

    /**
     * The resources this provider manages for the fleet: what should exist. Its diagnostics stop every plan, but
     * those {@link ExpandResponse#changeOnly()} marks: problems of making or changing resources, which a destroy
     * does not meet.
     */
    ExpandResponse expand(ExpandRequest request);

    /**
     * Refresh: what one resource looks like now, or that it is gone. Must work from the recorded
     * state alone (the resource's block may be gone from the fleet).
     */
    ReadResponse read(ReadRequest request) throws ProviderException;

    /** Which of the changed attributes cannot be changed in place. */
    DiffResponse diff(DiffRequest request);

    /**
     * Makes one change. Must be idempotent: the engine retries after transient failures and crashes.
     * A DELETE must work from the recorded state alone.
     */
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
     * What this fleet made that is neither in the state nor declared any more (a run killed between
     * making an object and recording it, whose block was then removed): the plan deletes each one,
     * so nothing this fleet holds is left behind. Only objects carrying this fleet's identity; most
     * providers find nothing.
     */
    default LeftoversResponse leftovers(LeftoversRequest request) throws ProviderException {
        return LeftoversResponse.NONE;
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

    /**
     * Whether one object of this type holds several instances that a partial rollout stage
     * ({@code partition}) can update only some of (a workload with a partition field): then the
     * partial stage applies it with an {@link ApplyRequest#share()} and the next stage taking its
     * zone applies it whole. Pure, from the resource alone. Most providers have none.
     */
    default boolean partitionable(io.fleetform.engine.resource.Resource desired) {
        return false;
    }

    /** Adopts an existing object into the state. */
    ImportResponse importResource(ImportRequest request) throws ProviderException;

    /**
     * A resource gets a new address ({@code moved}, {@code state mv}): re-key whatever the provider
     * keeps by address (labels, ledger entries) so the same object lives on under the new one.
     * Providers that key nothing by address keep the default, which changes nothing.
     */
    default RenameResponse rename(RenameRequest request) throws ProviderException {
        return new RenameResponse(request.prior().attributes());
    }

    /**
     * The provider's resources that a rename of {@code from} to {@code to} moves too although their
     * addresses are not under {@code from} (a Kubernetes object's address is named after its zone and
     * service, not under {@code zone.NAME}): old address → new address. Pure, from the state alone,
     * so a plan can show the move. Most providers have none.
     */
    default Map<ResourceAddress, ResourceAddress> follows(ResourceAddress from, ResourceAddress to,
                                                          Collection<ResourceState> recorded) {
        return Map.of();
    }

    /**
     * How many of this provider's changes an apply runs at once, given the user's {@code --parallelism}: that,
     * unless the provider's changes mostly wait on a remote that paces them itself (Kubernetes: the controllers'
     * rollouts), where it may say more.
     */
    default int parallelism(int requested, ProviderContext context) {
        return requested;
    }

    /** Releases the session's clients and threads. */
    @Override
    default void close() {
    }
}
