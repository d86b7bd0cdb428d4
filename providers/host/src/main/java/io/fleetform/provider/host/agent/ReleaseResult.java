package io.fleetform.provider.host.agent;

/** Answer to {@code DELETE /v1/allocations/{address}}: what was freed, and the ledger revision after. */
public record ReleaseResult(Allocation released, long revision) {
}
