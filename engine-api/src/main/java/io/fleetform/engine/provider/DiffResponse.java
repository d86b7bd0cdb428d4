package io.fleetform.engine.provider;

import java.util.Set;

/**
 * @param requiresReplace changed attributes that cannot change in place (e.g. a container's image)
 * @param reason          why, for the plan ("image changes need a new container"); for a change made
 *                        in place, a reason that starts with "will be " says how it is made when that
 *                        matters to a reviewer and is shown instead of "will be updated in place"
 *                        ("will be recreated (restart, keeps IP, cores and data)")
 * @param computed        attributes the provider adds itself (an id, an assigned IP): absent from
 *                        the desired resource but not a change
 */
public record DiffResponse(Set<String> requiresReplace, String reason, Set<String> computed) {
    public static final DiffResponse IN_PLACE = new DiffResponse(Set.of(), "", Set.of());

    public DiffResponse {
        requiresReplace = Set.copyOf(requiresReplace);
        computed = Set.copyOf(computed);
    }

    public DiffResponse(Set<String> requiresReplace, String reason) {
        this(requiresReplace, reason, Set.of());
    }
}
