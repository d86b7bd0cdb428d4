package io.fleetform.engine.rollout;

import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.model.Rollout;
import io.fleetform.engine.model.Stage;
import io.fleetform.engine.model.Zone;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which zones each stage of a rollout changes, in order. A stage takes the zones it names, then
 * the not yet taken zones of the IDCs it names, then a percentage of the zones left (rounded
 * up); a stage that selects nothing takes all the zones left. Zones no stage takes go in a last
 * stage of their own, so nothing is left out of an apply.
 */
public record RolloutSchedule(String rollout, List<StageWork> stages) {

    /** One stage's zones and how to run it. */
    public record StageWork(String name, List<String> zones, int maxParallel, Optional<Duration> waitAfter,
                            boolean healthGate, boolean manualApproval, Duration healthyFor,
                            Optional<io.fleetform.engine.model.MetricGate> metric, Optional<Stage.Partition> partition) {
        public StageWork {
            zones = List.copyOf(zones);
        }

        public StageWork(String name, List<String> zones, int maxParallel, Optional<Duration> waitAfter,
                         boolean healthGate, boolean manualApproval) {
            this(name, zones, maxParallel, waitAfter, healthGate, manualApproval, Stage.DEFAULT_HEALTHY_FOR,
                    Optional.empty(), Optional.empty());
        }
    }

    /**
     * The stage a resource's change belongs to: the first stage holding its zone, except that a
     * partial stage ({@code partition}) holds only the first instances of each service (ordinals
     * below its share of the service's instances in {@code desired}); the rest, and what is not
     * one instance, go to the next stage holding the zone. Empty for a resource in no stage's zone (fleet-wide, removed zones).
     */
    public Optional<StageWork> stageOf(io.fleetform.engine.address.ResourceAddress address, String zone,
                                       java.util.function.ToIntFunction<String> instancesOfService) {
        for (StageWork stage : stages) {
            if (!stage.zones().contains(zone)) {
                continue;
            }
            if (stage.partition().isEmpty()) {
                return Optional.of(stage);
            }
            java.util.regex.Matcher m = INSTANCE.matcher(address.value());
            if (!m.matches()) {
                // not one instance (a Kubernetes workload holds all its pods): the stage taking the zone changes it
                continue;
            }
            int ordinal = Integer.parseInt(m.group(2));
            if (ordinal < stage.partition().get().of(Math.max(1, instancesOfService.applyAsInt(m.group(1))))) {
                return Optional.of(stage);
            }
        }
        return Optional.empty();
    }

    /**
     * The stages that change a resource, in order: its {@link #stageOf stage}, or, for one object
     * holding all of a service's instances that its provider can partition ({@code split}: an
     * update of a Kruise CloneSet, a StatefulSet), every partial stage holding its zone (each
     * updates its share of the pods) and then the stage taking the zone (all of them).
     */
    public List<StageWork> stagesOf(io.fleetform.engine.address.ResourceAddress address, String zone,
                                    java.util.function.ToIntFunction<String> instancesOfService, boolean split) {
        if (!split || INSTANCE.matcher(address.value()).matches()) {
            return stageOf(address, zone, instancesOfService).map(List::of).orElse(List.of());
        }
        List<StageWork> out = new ArrayList<>();
        for (StageWork stage : stages) {
            if (stage.zones().contains(zone)) {
                out.add(stage);
                if (stage.partition().isEmpty()) {
                    return out;
                }
            }
        }
        // no stage takes the zone after the partial ones: the last partial one leaves the rest to nobody
        return stageOf(address, zone, instancesOfService).map(List::of).orElse(List.of());
    }

    /**
     * Whether a partial stage holds the zone of a resource that is not one instance and that it cannot
     * split (a Deployment, which has no partition): the stage taking the zone changes it whole.
     */
    public boolean skipsPartial(io.fleetform.engine.address.ResourceAddress address, String zone) {
        return !INSTANCE.matcher(address.value()).matches() && stages.stream()
                .anyMatch(st -> st.partition().isPresent() && st.zones().contains(zone));
    }

    /** {@code zone.s1.service.game[3]}: the service's address and the instance's ordinal. */
    private static final java.util.regex.Pattern INSTANCE = java.util.regex.Pattern.compile("(.*\\.service\\.[^.\\[]+)\\[([0-9]+)]");

    /** How many instances each service has in the desired resources ({@code zone.s1.service.game[0..n)}). */
    public static java.util.function.ToIntFunction<String> instanceCounts(
            java.util.Collection<io.fleetform.engine.address.ResourceAddress> desired) {
        java.util.Map<String, Integer> counts = new java.util.HashMap<>();
        for (io.fleetform.engine.address.ResourceAddress a : desired) {
            java.util.regex.Matcher m = INSTANCE.matcher(a.value());
            if (m.matches()) {
                counts.merge(m.group(1), 1, Integer::sum);
            }
        }
        return service -> counts.getOrDefault(service, 0);
    }

    public RolloutSchedule {
        stages = List.copyOf(stages);
    }

    /**
     * The schedule of the named rollout, or of "default", or of the only rollout; empty when the
     * fleet has none (then apply changes every zone at once, as the dependency graph allows).
     */
    public static Optional<RolloutSchedule> of(Fleet fleet, Optional<String> name) {
        Optional<Rollout> rollout = name.isPresent()
                ? fleet.rollouts().stream().filter(r -> r.name().equals(name.get())).findFirst()
                : fleet.rollouts().stream().filter(r -> r.name().equals("default")).findFirst()
                .or(() -> fleet.rollouts().size() == 1 ? Optional.of(fleet.rollouts().get(0)) : Optional.empty());
        if (name.isPresent() && rollout.isEmpty()) {
            throw new IllegalArgumentException("the fleet has no rollout named \"" + name.get() + "\"; it has: "
                    + String.join(", ", fleet.rollouts().stream().map(Rollout::name).toList()));
        }
        return rollout.map(r -> schedule(fleet, r));
    }

    static RolloutSchedule schedule(Fleet fleet, Rollout rollout) {
        Set<String> left = new LinkedHashSet<>();
        fleet.zones().forEach(z -> left.add(z.name()));
        List<StageWork> stages = new ArrayList<>();
        for (Stage stage : rollout.stages()) {
            List<String> taken = new ArrayList<>();
            if (stage.partition().isPresent()) {
                // a partial stage takes nothing: its zones' other instances go to the stage that takes them next
                Set<String> mine = new LinkedHashSet<>(stage.zones());
                if (stage.zones().isEmpty() && stage.idcs().isEmpty() && stage.percent().isEmpty()) {
                    mine.addAll(left); // no selection: the first instances of every zone left
                }
                fleet.zones().stream().filter(z -> stage.idcs().contains(z.idc())).forEach(z -> mine.add(z.name()));
                if (stage.percent().isPresent()) {
                    List<String> rest = new ArrayList<>(left);
                    rest.removeAll(mine);
                    mine.addAll(rest.subList(0, (int) Math.ceil(rest.size() * stage.percent().get() / 100.0)));
                }
                mine.retainAll(left);
                stages.add(new StageWork(stage.name(), new ArrayList<>(mine), stage.maxParallel(), stage.waitAfter(),
                        stage.gate() == Stage.Gate.HEALTHY || stage.metric().isPresent(), stage.manualApproval(),
                        stage.healthyFor(), stage.metric(), stage.partition()));
                continue;
            }
            for (String zone : stage.zones()) {
                if (left.remove(zone)) {
                    taken.add(zone);
                }
            }
            for (Zone zone : fleet.zones()) {
                if (stage.idcs().contains(zone.idc()) && left.remove(zone.name())) {
                    taken.add(zone.name());
                }
            }
            if (stage.percent().isPresent()) {
                int count = (int) Math.ceil(left.size() * stage.percent().get() / 100.0);
                List<String> some = new ArrayList<>(left).subList(0, count);
                some.forEach(left::remove);
                taken.addAll(some);
            }
            boolean selects = !stage.zones().isEmpty() || !stage.idcs().isEmpty() || stage.percent().isPresent();
            if (!selects) {
                taken.addAll(left);
                left.clear();
            }
            stages.add(new StageWork(stage.name(), taken, stage.maxParallel(), stage.waitAfter(),
                    stage.gate() == Stage.Gate.HEALTHY || stage.metric().isPresent(), stage.manualApproval(),
                    stage.healthyFor(), stage.metric(), Optional.empty()));
        }
        if (!left.isEmpty()) {
            stages.add(new StageWork("(remaining zones)", new ArrayList<>(left), 1, Optional.empty(), true, false));
        }
        return new RolloutSchedule(rollout.name(), stages);
    }
}
