package io.fleetform.engine.provider;

import java.util.Set;

/**
 * @param requiresReplace changed attributes that cannot change in place (e.g. a container's image)
 * @param reason          why, for the plan ("image changes need a new container")
 */
public record DiffResponse(Set<String> requiresReplace, String reason) {
    public static final DiffResponse IN_PLACE = new DiffResponse(Set.of(), "");

    public DiffResponse {
        requiresReplace = Set.copyOf(requiresReplace);
    }
}
