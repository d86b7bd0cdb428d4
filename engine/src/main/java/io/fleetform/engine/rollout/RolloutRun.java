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
        return begin(schedule, state, revision, "");
    }

    /**
     * @param commit the Git commit the configuration came from (the plan's provenance), empty when
     *               it did not come from Git
     */
    public static RolloutRecord begin(RolloutSchedule schedule, State state, String revision, String commit) {
        Optional<RolloutRecord> recorded = state.rollout();
        if (recorded.isPresent() && recorded.get().revision().equals(revision)
                && recorded.get().rollout().equals(schedule.rollout())
                && recorded.get().stages().stream().map(RolloutRecord.StageRecord::name).toList()
                .equals(schedule.stages().stream().map(RolloutSchedule.StageWork::name).toList())) {
            return recorded.get();
        }
        String previousCommit = "";
        List<RolloutRecord.Past> history = new ArrayList<>();
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
            history.addAll(old.history());
            if (old.status() == Status.HEALTHY) {
                previousRevision = old.revision();
                previousCommit = old.commit();
                // the run before becomes history: what it changed, as it was at the revision it started from
                if (!old.previousRevision().isEmpty()) {
                    history.add(new RolloutRecord.Past(old.previousRevision(), old.previousCommit(), old.previous(),
                            old.changed()));
                }
                while (history.size() > RolloutRecord.HISTORY) {
                    history.remove(0);
                }
            } else {
                // Unfinished, aborted or rolled back: what it changed goes back to what was there before it.
                previousRevision = old.previousRevision();
                previousCommit = old.previousCommit();
                previous.putAll(old.previous());
                changed.addAll(old.changed());
                unfinished.addAll(old.unfinished()); // still to become healthy, under the new revision
            }
        }
        return new RolloutRecord(schedule.rollout(), revision, commit, previousRevision, Instant.now().toString(),
                Status.PENDING, "", stages, previous, changed, unfinished, previousCommit, history);
    }

    /**
     * The run as if it had started from {@code target}, an earlier revision of its history: its
     * previous values become those at {@code target} (for everything changed since, the value before
     * the first run that changed it; created since: absent), so a rollback of every stage restores
     * {@code target}. Empty when the history does not hold it.
     */
    public static Optional<RolloutRecord> since(RolloutRecord run, String target) {
        int from = -1;
        for (int i = run.history().size() - 1; i >= 0; i--) {
            if (names(run.history().get(i).revision(), run.history().get(i).commit(), target)) {
                from = i;
                break;
            }
        }
        if (from < 0) {
            return Optional.empty();
        }
        RolloutRecord.Past at = run.history().get(from);
        List<RolloutRecord.Past> runs = new ArrayList<>(run.history().subList(from, run.history().size()));
        runs.add(new RolloutRecord.Past(run.previousRevision(), run.previousCommit(), run.previous(), run.changed()));
        Map<ResourceAddress, ResourceState> previous = new TreeMap<>();
        Set<ResourceAddress> changed = new TreeSet<>();
        for (RolloutRecord.Past p : runs) { // oldest first: the first run that changed a resource saw it at target
            for (ResourceAddress a : p.changed()) {
                if (changed.add(a) && p.previous().containsKey(a)) {
                    previous.put(a, p.previous().get(a));
                }
            }
        }
        return Optional.of(new RolloutRecord(run.rollout(), run.revision(), run.commit(), at.revision(), run.started(),
                run.status(), run.reason(), run.stages(), previous, changed, run.unfinished(), at.commit(),
                run.history().subList(0, from)));
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

    /** Whether what a user typed names this revision, or is (a prefix of at least 7 digits of) its Git commit. */
    public static boolean names(String revision, String commit, String typed) {
        return names(revision, typed) || !commit.isEmpty() && typed.length() >= 7 && commit.startsWith(typed);
    }

    /** Whether what a user typed (a prefix, with or without the algorithm) names this revision. */
    public static boolean names(String revision, String typed) {
        String hex = revision.startsWith("sha256:") ? revision.substring("sha256:".length()) : revision;
        return !typed.isBlank() && (revision.startsWith(typed) || hex.startsWith(typed));
    }
}
