package io.fleetform.engine.state;

import io.fleetform.engine.address.ResourceAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One rollout run as the state records it: which revision goes out, how far each stage and
 * zone got, which changes were made but did not become healthy, and the previous revision's
 * values of everything the run changed (so abort and rollback can restore them). Written before
 * each stage starts and after it ends, so a crash leaves the intent on disk.
 *
 * @param revision         the configuration hash being rolled out
 * @param commit           the Git commit of that configuration, empty when there is none
 * @param previousRevision the revision the run started from (empty for the first)
 * @param previous         for each resource the run changed, its state before the run (absent: it was created)
 * @param unfinished       resources changed (or attempted) whose stage did not become healthy
 * @param previousCommit   the Git commit of the previous revision, empty when there was none
 * @param history          earlier revisions, oldest first, at most {@link #HISTORY}: what {@code rollback --to}
 *                         can go back to beyond the previous revision
 */
public record RolloutRecord(String rollout, String revision, String commit, String previousRevision, String started,
                            Status status, String reason, List<StageRecord> stages,
                            Map<ResourceAddress, ResourceState> previous, Set<ResourceAddress> changed,
                            Set<ResourceAddress> unfinished, String previousCommit, List<Past> history) {

    /** How many revisions before the previous one the state keeps (each holds the values its next run changed). */
    public static final int HISTORY = 5;

    /**
     * A revision before the previous one: the values of what the run that followed it changed, as they
     * were at it ({@code changed} without an entry in {@code previous}: created since).
     */
    public record Past(String revision, String commit, Map<ResourceAddress, ResourceState> previous,
                       Set<ResourceAddress> changed) {
        public Past {
            commit = commit == null ? "" : commit;
            previous = Collections.unmodifiableMap(new TreeMap<>(previous));
            changed = Collections.unmodifiableSet(new TreeSet<>(changed));
        }
    }

    public RolloutRecord(String rollout, String revision, String commit, String previousRevision, String started,
                         Status status, String reason, List<StageRecord> stages,
                         Map<ResourceAddress, ResourceState> previous, Set<ResourceAddress> changed,
                         Set<ResourceAddress> unfinished) {
        this(rollout, revision, commit, previousRevision, started, status, reason, stages, previous, changed,
                unfinished, "", List.of());
    }

    /** Where a run, a stage or a zone stands. */
    public enum Status {
        PENDING, RUNNING, HEALTHY, FAILED, PAUSED, ABORTED, ROLLED_BACK;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }

        public static Status of(String word) {
            return valueOf(word.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        }
    }

    /** One stage: its status, why it stopped, and each of its zones' status. */
    public record StageRecord(String name, Status status, String reason, Map<String, Status> zones) {
        public StageRecord {
            zones = Collections.unmodifiableMap(new java.util.LinkedHashMap<>(zones));
            reason = reason == null ? "" : reason;
        }

        public StageRecord with(Status newStatus, String why) {
            Map<String, Status> z = new java.util.LinkedHashMap<>();
            zones.forEach((k, v) -> z.put(k, newStatus));
            return new StageRecord(name, newStatus, why, z);
        }
    }

    public RolloutRecord {
        commit = commit == null ? "" : commit;
        previousRevision = previousRevision == null ? "" : previousRevision;
        reason = reason == null ? "" : reason;
        stages = List.copyOf(stages);
        previous = Collections.unmodifiableMap(new TreeMap<>(previous));
        changed = Collections.unmodifiableSet(new TreeSet<>(changed));
        unfinished = Collections.unmodifiableSet(new TreeSet<>(unfinished));
        previousCommit = previousCommit == null ? "" : previousCommit;
        history = List.copyOf(history == null ? List.of() : history);
    }

    public Optional<StageRecord> stage(String name) {
        return stages.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public RolloutRecord withStatus(Status newStatus, String why) {
        return new RolloutRecord(rollout, revision, commit, previousRevision, started, newStatus, why, stages, previous,
                changed, unfinished, previousCommit, history);
    }

    public RolloutRecord withStage(StageRecord stage) {
        List<StageRecord> copy = new ArrayList<>(stages);
        for (int i = 0; i < copy.size(); i++) {
            if (copy.get(i).name().equals(stage.name())) {
                copy.set(i, stage);
            }
        }
        return new RolloutRecord(rollout, revision, commit, previousRevision, started, status, reason, copy, previous,
                changed, unfinished, previousCommit, history);
    }

    /** Records, before they are made, the changes of a stage: their prior state (if any) is kept once. */
    public RolloutRecord changing(Map<ResourceAddress, ResourceState> priors, Set<ResourceAddress> addresses) {
        Map<ResourceAddress, ResourceState> keep = new TreeMap<>(previous);
        Set<ResourceAddress> all = new TreeSet<>(changed);
        for (ResourceAddress a : addresses) {
            if (all.add(a) && priors.containsKey(a)) {
                keep.putIfAbsent(a, priors.get(a));
            }
        }
        return new RolloutRecord(rollout, revision, commit, previousRevision, started, status, reason, stages, keep,
                all, unfinished, previousCommit, history);
    }

    public RolloutRecord withUnfinished(Set<ResourceAddress> addresses) {
        return new RolloutRecord(rollout, revision, commit, previousRevision, started, status, reason, stages, previous,
                changed, addresses, previousCommit, history);
    }

    /** The stage that is started and not healthy (running, failed, paused), if any. */
    public Optional<StageRecord> current() {
        return stages.stream().filter(s -> s.status() == Status.RUNNING || s.status() == Status.FAILED
                || s.status() == Status.PAUSED).findFirst();
    }
}
