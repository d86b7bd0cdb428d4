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
 * @param disruption      what an in-place update does to the running servers: {@link #IN_PLACE_WORD} (no
 *                        restart), {@link #RESTART} (processes restart in place, e.g. pods roll) or
 *                        {@link #RECREATE} (a new container); empty: in place
 */
public record DiffResponse(Set<String> requiresReplace, String reason, Set<String> computed, String disruption) {
    public static final String IN_PLACE_WORD = "in place";
    public static final String RESTART = "restart";
    public static final String RECREATE = "recreate";
    public static final DiffResponse IN_PLACE = new DiffResponse(Set.of(), "", Set.of());

    public DiffResponse {
        requiresReplace = Set.copyOf(requiresReplace);
        computed = Set.copyOf(computed);
        disruption = disruption == null || disruption.isEmpty() ? IN_PLACE_WORD : disruption;
    }

    public DiffResponse(Set<String> requiresReplace, String reason, Set<String> computed) {
        this(requiresReplace, reason, computed, IN_PLACE_WORD);
    }

    public DiffResponse(Set<String> requiresReplace, String reason) {
        this(requiresReplace, reason, Set.of());
    }
}
