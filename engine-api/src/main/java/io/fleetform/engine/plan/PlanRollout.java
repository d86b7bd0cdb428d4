package io.fleetform.engine.plan;

import io.fleetform.engine.address.ResourceAddress;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the plan says about the rollout: the stage each change belongs to, how disruptive each
 * change is, which changes are unfinished (made or tried by a rollout, never healthy), and where
 * the recorded rollout stands.
 *
 * @param rollout    the rollout that would apply the plan ("" when the fleet has none)
 * @param status     the recorded run's status and why, in words ("" when none was recorded)
 * @param stages     address to stage name
 * @param disruption address to "in place", "restart" or "recreate"
 * @param unfinished addresses whose change a rollout attempted and that never became healthy
 * @param byRollout  for every rollout the fleet declares (the one apply follows among them), address to
 *                   stage name: what {@code apply --rollout NAME} would do
 */
public record PlanRollout(String rollout, String status, Map<ResourceAddress, String> stages,
                          Map<ResourceAddress, String> disruption, Set<ResourceAddress> unfinished,
                          Map<String, Map<ResourceAddress, String>> byRollout) {
    public static final PlanRollout NONE = new PlanRollout("", "", Map.of(), Map.of(), Set.of());

    public PlanRollout(String rollout, String status, Map<ResourceAddress, String> stages,
                       Map<ResourceAddress, String> disruption, Set<ResourceAddress> unfinished) {
        this(rollout, status, stages, disruption, unfinished, Map.of());
    }

    public PlanRollout {
        Map<String, Map<ResourceAddress, String>> every = new TreeMap<>();
        byRollout.forEach((name, st) -> every.put(name, Collections.unmodifiableMap(new TreeMap<>(st))));
        byRollout = Collections.unmodifiableMap(every);
        stages = Collections.unmodifiableMap(new TreeMap<>(stages));
        disruption = Collections.unmodifiableMap(new TreeMap<>(disruption));
        unfinished = Collections.unmodifiableSet(new TreeSet<>(unfinished));
    }

    public String stageOf(ResourceAddress address) {
        return stages.getOrDefault(address, "");
    }

    /** The change's stage in each rollout other than the one apply follows, as {@code rollout: stage}. */
    public java.util.List<String> otherStagesOf(ResourceAddress address) {
        java.util.List<String> out = new java.util.ArrayList<>();
        byRollout.forEach((name, st) -> {
            if (!name.equals(rollout) && st.containsKey(address)) {
                out.add(name + ": " + st.get(address));
            }
        });
        return out;
    }

    public String disruptionOf(ResourceAddress address) {
        return disruption.getOrDefault(address, "");
    }
}
