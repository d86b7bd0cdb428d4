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
                            Optional<io.fleetform.engine.model.MetricGate> metric) {
        public StageWork {
            zones = List.copyOf(zones);
        }

        public StageWork(String name, List<String> zones, int maxParallel, Optional<Duration> waitAfter,
                         boolean healthGate, boolean manualApproval) {
            this(name, zones, maxParallel, waitAfter, healthGate, manualApproval, Stage.DEFAULT_HEALTHY_FOR,
                    Optional.empty());
        }
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
                    stage.healthyFor(), stage.metric()));
        }
        if (!left.isEmpty()) {
            stages.add(new StageWork("(remaining zones)", new ArrayList<>(left), 1, Optional.empty(), true, false));
        }
        return new RolloutSchedule(rollout.name(), stages);
    }
}
