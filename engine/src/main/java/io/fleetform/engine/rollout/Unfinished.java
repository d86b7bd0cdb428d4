package io.fleetform.engine.rollout;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.plan.Drift;
import io.fleetform.engine.plan.Plan;
import io.fleetform.engine.plan.PlanRollout;
import io.fleetform.engine.plan.ResourceChange;
import io.fleetform.engine.resource.Resource;
import io.fleetform.engine.state.RolloutRecord;
import io.fleetform.engine.state.State;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Changes a rollout made or tried that never became healthy. Planned again with the same
 * revision, such a change is neither drift (the live object may already carry it) nor done (the
 * state may already record it): the plan compares the configuration with the values from before
 * the rollout, so the change shows, marked unfinished, and apply makes it and passes its gate
 * again before any later stage starts.
 */
public final class Unfinished {
    private Unfinished() {
    }

    /** What the planner should compare with, and the drift that remains. */
    public record Restored(State state, List<Drift> drift, Set<ResourceAddress> unfinished) {
    }

    public static Restored restore(State state, List<Drift> drift, String revision) {
        Optional<RolloutRecord> run = state.rollout();
        if (run.isEmpty() || !run.get().revision().equals(revision) || run.get().unfinished().isEmpty()) {
            return new Restored(state, drift, Set.of());
        }
        State restored = state;
        for (ResourceAddress a : run.get().unfinished()) {
            restored = run.get().previous().containsKey(a) ? restored.with(run.get().previous().get(a))
                    : restored.without(a);
        }
        Set<ResourceAddress> unfinished = run.get().unfinished();
        List<Drift> remaining = new ArrayList<>(drift.stream().filter(d -> !unfinished.contains(d.address())).toList());
        return new Restored(restored, remaining, unfinished);
    }

    public static Plan annotate(Plan plan, Fleet fleet, Map<ResourceAddress, Resource> desired, State state,
                                Set<ResourceAddress> unfinished) {
        return annotate(plan, fleet, desired, state, unfinished, r -> false);
    }

    /**
     * The plan with each change's stage, the rollout's recorded status, and what is unfinished.
     *
     * @param partitionable whether the resource's provider can update a share of its instances: an update
     *                      of it belongs to each partial stage of its zone, then to the stage taking the
     *                      zone ({@code half (50%) → rest})
     */
    public static Plan annotate(Plan plan, Fleet fleet, Map<ResourceAddress, Resource> desired, State state,
                                Set<ResourceAddress> unfinished, java.util.function.Predicate<Resource> partitionable) {
        Optional<RolloutSchedule> schedule;
        try {
            schedule = RolloutSchedule.of(fleet, Optional.empty());
        } catch (IllegalArgumentException e) {
            schedule = Optional.empty();
        }
        if (fleet.rollouts().isEmpty()) {
            return plan;
        }
        Map<String, Map<ResourceAddress, String>> byRollout = new TreeMap<>();
        for (io.fleetform.engine.model.Rollout r : fleet.rollouts()) {
            byRollout.put(r.name(), stages(plan, desired, RolloutSchedule.schedule(fleet, r), partitionable));
        }
        Map<ResourceAddress, String> stages = schedule.map(sc -> byRollout.get(sc.rollout())).orElse(Map.of());
        Set<ResourceAddress> marked = new TreeSet<>();
        for (ResourceChange c : plan.changes()) {
            if (c.action() != Action.NO_OP && unfinished.contains(c.address())) {
                marked.add(c.address());
            }
        }
        String status = state.rollout().map(Unfinished::describe).orElse("");
        return plan.withRollout(new PlanRollout(schedule.map(RolloutSchedule::rollout).orElse(""), status, stages,
                plan.rollout().disruption(), marked, byRollout));
    }

    /** The stage of each change in one rollout's schedule. */
    private static Map<ResourceAddress, String> stages(Plan plan, Map<ResourceAddress, Resource> desired,
                                                       RolloutSchedule schedule,
                                                       java.util.function.Predicate<Resource> partitionable) {
        java.util.function.ToIntFunction<String> instances = RolloutSchedule.instanceCounts(desired.keySet());
        Map<ResourceAddress, String> stages = new TreeMap<>();
        for (ResourceChange c : plan.changes()) {
            if (c.action() == Action.NO_OP) {
                continue;
            }
            Resource r = desired.get(c.address());
            String zone = r != null ? r.zone() : c.address().zone();
            if (zone.isEmpty()) {
                stages.put(c.address(), c.action() == Action.DELETE ? "(removals)" : "(fleet-wide)");
                continue;
            }
            boolean split = c.action() == Action.UPDATE && r != null && partitionable.test(r);
            List<RolloutSchedule.StageWork> of = schedule.stagesOf(c.address(), zone, instances, split);
            String whole = of.size() == 1 && c.action() != Action.DELETE && schedule.skipsPartial(c.address(), zone)
                    ? " (whole: no partition)" : "";
            stages.put(c.address(), of.isEmpty() ? "(removals)" : String.join(" → ", of.stream()
                    .map(st -> of.size() > 1 && st.partition().isPresent()
                            ? st.name() + " (" + st.partition().get().describe() + ")" : st.name()).toList()) + whole);
        }
        return stages;
    }

    static String describe(RolloutRecord run) {
        return "revision " + RolloutRun.short12(run.revision()) + " " + run.status().word()
                + (run.reason().isEmpty() ? "" : ": " + run.reason());
    }
}
