package io.fleetform.engine.apply;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.graph.GraphWalker;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.plan.ResourceChange;
import io.fleetform.engine.resource.Resource;
import io.fleetform.engine.rollout.RolloutSchedule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A slice of an apply that runs to completion before the next starts: the fleet-wide resources,
 * one batch of a stage's zones ({@code max_parallel} zones), or the removals of zones no longer
 * in the fleet.
 *
 * @param stage the rollout stage, or null for the fleet-wide and removal phases
 * @param first whether this is the stage's first batch (where it starts and is approved)
 * @param last  whether this is the stage's last batch (after which its gate and wait apply)
 * @param partial the addresses this partial stage changes only its share of (a partitioned workload)
 */
record Phase(String name, List<ResourceAddress> addresses, RolloutSchedule.StageWork stage, boolean first,
             boolean last, java.util.Set<ResourceAddress> partial) {

    Phase {
        partial = java.util.Set.copyOf(partial);
    }

    Phase(String name, List<ResourceAddress> addresses, RolloutSchedule.StageWork stage, boolean first,
          boolean last) {
        this(name, addresses, stage, first, last, java.util.Set.of());
    }

    Phase(String name, java.util.Collection<ResourceAddress> addresses, RolloutSchedule.StageWork stage) {
        this(name, List.copyOf(addresses), stage, true, true);
    }

    /** The share of the address's instances this phase changes: its stage's partition when partial. */
    java.util.Optional<io.fleetform.engine.model.Stage.Partition> shareOf(ResourceAddress address) {
        return partial.contains(address) ? stage.partition() : java.util.Optional.empty();
    }

    static List<Phase> of(RolloutSchedule schedule, Map<ResourceAddress, ResourceChange> work,
                          Map<ResourceAddress, Resource> desired) {
        return of(schedule, work, desired, java.util.Set.of(), a -> false);
    }

    /**
     * @param gateOnly stages the state records as started but not healthy: they get a phase even
     *                 with nothing left to change, so their gate is passed before later stages start
     * @param split    the updates a partial stage changes a share of and the stage taking the zone
     *                 the rest of ({@link RolloutSchedule#stagesOf})
     */
    static List<Phase> of(RolloutSchedule schedule, Map<ResourceAddress, ResourceChange> work,
                          Map<ResourceAddress, Resource> desired, java.util.Set<String> gateOnly,
                          java.util.function.Predicate<ResourceAddress> split) {
        // each stage's changes by zone: a zone may be in two stages when the first is partial (partition)
        Map<RolloutSchedule.StageWork, Map<String, List<ResourceAddress>>> byStage = new LinkedHashMap<>();
        List<ResourceAddress> shared = new ArrayList<>();
        List<ResourceAddress> removals = new ArrayList<>();
        java.util.Set<ResourceAddress> partial = new java.util.HashSet<>();
        java.util.function.ToIntFunction<String> instances = RolloutSchedule.instanceCounts(desired.keySet());
        for (ResourceChange change : work.values()) {
            Resource resource = desired.get(change.address());
            String zone = resource != null ? resource.zone() : change.address().zone();
            List<RolloutSchedule.StageWork> stages = zone.isEmpty() ? List.of()
                    : schedule.stagesOf(change.address(), zone, instances,
                    change.action() == Action.UPDATE && split.test(change.address()));
            if (zone.isEmpty()) {
                (change.action() == Action.DELETE || change.action() == Action.FORGET ? removals : shared).add(change.address());
            } else if (!stages.isEmpty()) {
                for (RolloutSchedule.StageWork stage : stages) {
                    byStage.computeIfAbsent(stage, s -> new LinkedHashMap<>())
                            .computeIfAbsent(zone, z -> new ArrayList<>()).add(change.address());
                    if (stages.size() > 1 && stage.partition().isPresent()) {
                        partial.add(change.address());
                    }
                }
            } else {
                removals.add(change.address());
            }
        }
        List<Phase> phases = new ArrayList<>();
        if (!shared.isEmpty()) {
            phases.add(new Phase("fleet-wide", shared, null));
        }
        for (RolloutSchedule.StageWork stage : schedule.stages()) {
            Map<String, List<ResourceAddress>> byZone = byStage.getOrDefault(stage, Map.of());
            List<String> zones = stage.zones().stream().filter(byZone::containsKey).toList();
            int batch = Math.max(1, stage.maxParallel());
            if (zones.isEmpty() && gateOnly.contains(stage.name())) {
                phases.add(new Phase(stage.name(), List.of(), stage, true, true));
            }
            for (int i = 0; i < zones.size(); i += batch) {
                List<ResourceAddress> addresses = new ArrayList<>();
                zones.subList(i, Math.min(zones.size(), i + batch)).forEach(z -> addresses.addAll(byZone.get(z)));
                java.util.Set<ResourceAddress> shares = new java.util.HashSet<>();
                if (stage.partition().isPresent()) {
                    addresses.stream().filter(partial::contains).forEach(shares::add);
                }
                phases.add(new Phase(stage.name(), List.copyOf(addresses), stage, i == 0, i + batch >= zones.size(),
                        shares));
            }
        }
        if (!removals.isEmpty()) {
            phases.add(new Phase("removals", removals, null));
        }
        return phases;
    }

    static int changesOfStage(List<Phase> phases, RolloutSchedule.StageWork stage) {
        return phases.stream().filter(p -> p.stage() == stage).mapToInt(p -> p.addresses().size()).sum();
    }

    static List<String> failuresInStage(List<Phase> phases, RolloutSchedule.StageWork stage,
                                        Map<ResourceAddress, String> failed) {
        return phases.stream().filter(p -> p.stage() == stage).flatMap(p -> p.addresses().stream())
                .filter(failed::containsKey).map(a -> a + ": " + failed.get(a)).limit(3).toList();
    }

    static boolean failedInStage(List<Phase> phases, RolloutSchedule.StageWork stage,
                                 Map<ResourceAddress, GraphWalker.Outcome> outcomes) {
        return phases.stream().filter(p -> p.stage() == stage).flatMap(p -> p.addresses().stream())
                .map(outcomes::get).anyMatch(o -> o == GraphWalker.Outcome.FAILED || o == GraphWalker.Outcome.SKIPPED);
    }
}
