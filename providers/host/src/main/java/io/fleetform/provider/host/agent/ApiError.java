package io.fleetform.provider.host.agent;

import java.util.List;

/**
 * Body of every non-2xx answer.
 *
 * @param error     machine-readable code: {@code unauthorized}, {@code bad_request}, {@code not_found},
 *                  {@code method_not_allowed}, {@code conflict}, {@code unprocessable},
 *                  {@code payload_too_large}, {@code engine_error}, {@code engine_unavailable}, {@code internal}
 * @param message   one sentence for a person
 * @param conflicts for {@code conflict}: each resource that stood in the way (may be null otherwise)
 */
public record ApiError(String error, String message, List<Conflict> conflicts) {
    public ApiError {
        conflicts = conflicts == null ? null : List.copyOf(conflicts);
    }
}
