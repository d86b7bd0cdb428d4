package io.fleetform.engine.rollout;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.state.ResourceState;
import io.fleetform.engine.state.RolloutRecord;
import io.fleetform.engine.state.RolloutRecord.Status;
import io.fleetform.engine.state.State;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How a rollout run starts or continues from what the state recorded. The same revision
 * continues the recorded run (its healthy stages stay healthy, a failed one is tried again); a
 * new revision starts a new run that keeps, for what the unfinished run had changed, the values
 * from before it, so abort and rollback go back to the last revision that was healthy.
 */
public final class RolloutRun {
    private RolloutRun() {
    }

    public static RolloutRecord begin(RolloutSchedule schedule, State state, String revision) {
        Optional<RolloutRecord> recorded = state.rollout();
        if (recorded.isPresent() && recorded.get().revision().equals(revision)
                && recorded.get().rollout().equals(schedule.rollout())
                && recorded.get().stages().stream().map(RolloutRecord.StageRecord::name).toList()
                .equals(schedule.stages().stream().map(RolloutSchedule.StageWork::name).toList())) {
            return recorded.get();
        }
        List<RolloutRecord.StageRecord> stages = new ArrayList<>();
        for (RolloutSchedule.StageWork s : schedule.stages()) {
            Map<String, Status> zones = new LinkedHashMap<>();
            s.zones().forEach(z -> zones.put(z, Status.PENDING));
            stages.add(new RolloutRecord.StageRecord(s.name(), Status.PENDING, "", zones));
        }
        String previousRevision = "";
        Map<ResourceAddress, ResourceState> previous = new TreeMap<>();
        Set<ResourceAddress> changed = new TreeSet<>();
        Set<ResourceAddress> unfinished = new TreeSet<>();
        if (recorded.isPresent()) {
            RolloutRecord old = recorded.get();
            if (old.status() == Status.HEALTHY) {
                previousRevision = old.revision();
            } else {
                // Unfinished, aborted or rolled back: what it changed goes back to what was there before it.
                previousRevision = old.previousRevision();
                previous.putAll(old.previous());
                changed.addAll(old.changed());
                unfinished.addAll(old.unfinished()); // still to become healthy, under the new revision
            }
        }
        return new RolloutRecord(schedule.rollout(), revision, "", previousRevision, Instant.now().toString(),
                Status.PENDING, "", stages, previous, changed, unfinished);
    }

    /** Why apply must not start any stage of this run now, or empty. */
    public static Optional<String> blocked(RolloutRecord run) {
        return switch (run.status()) {
            case PAUSED -> Optional.of("the rollout is paused" + (run.reason().isEmpty() ? "" : " (" + run.reason()
                    + ")") + "; run `fleetform rollout resume` to continue it");
            case ABORTED -> Optional.of("the rollout of revision " + short12(run.revision()) + " was aborted"
                    + (run.reason().isEmpty() ? "" : " (" + run.reason() + ")") + "; change the configuration for a "
                    + "new revision, or run `fleetform rollout resume` to try this one again");
            case ROLLED_BACK -> Optional.of("revision " + short12(run.revision()) + " was rolled back; change the "
                    + "configuration for a new revision, or run `fleetform rollout resume` to try it again");
            default -> Optional.empty();
        };
    }

    /** A revision as people read it: its first 12 hex digits, without the algorithm. */
    public static String short12(String revision) {
        String hex = revision.startsWith("sha256:") ? revision.substring("sha256:".length()) : revision;
        return hex.length() > 12 ? hex.substring(0, 12) : hex;
    }

    /** Whether what a user typed (a prefix, with or without the algorithm) names this revision. */
    public static boolean names(String revision, String typed) {
        String hex = revision.startsWith("sha256:") ? revision.substring("sha256:".length()) : revision;
        return !typed.isBlank() && (revision.startsWith(typed) || hex.startsWith(typed));
    }
}
