package io.fleetform.provider.kubernetes;

import io.fleetform.engine.model.Stage;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The partition a partial rollout stage sets on a workload so that only its share of the pods
 * is updated: {@code replicas - share} pods stay at the previous revision (CloneSet keeps that
 * many old pods; a StatefulSet, Advanced StatefulSet or GameServerSet updates the ordinals from
 * the partition up, so the highest ones first). An annotation records that this fleet set it and to
 * what, so the rollout wait tells it from a partition someone else set ({@link RolloutHold}), which
 * Fleetform leaves alone. The next stage applies the workload without either: server-side apply
 * then drops both (Fleetform was their only manager) and the controller updates the rest.
 */
final class StagePartition {
    /** {@code FLEET=PARTITION}: the fleet that set the partition and the value it set. */
    static final String ANNOTATION = "fleetform.io/partition";

    private StagePartition() {
    }

    /** The kinds with a partition field. Deployments have none: a stage changes them whole. */
    static boolean supported(Kind kind) {
        return kind == Kind.CLONESET || kind == Kind.ADVANCED_STATEFULSET || kind == Kind.GAMESERVERSET
                || kind == Kind.STATEFULSET;
    }

    /** Where the kind keeps its partition, as an attribute path. */
    static String field(Kind kind) {
        return kind == Kind.CLONESET ? "spec.updateStrategy.partition" : "spec.updateStrategy.rollingUpdate.partition";
    }

    /**
     * The desired attributes with the stage's partition and its annotation, or as they are when the
     * share is all the pods.
     */
    static Map<String, Object> apply(Kind kind, Map<String, Object> desired, Stage.Partition share) {
        long replicas = desired.get("spec.replicas") instanceof Number n ? n.longValue() : 1;
        long partition = replicas - share.of((int) Math.min(Integer.MAX_VALUE, replicas));
        if (partition <= 0) {
            return desired;
        }
        Map<String, Object> out = new TreeMap<>(desired);
        out.put(field(kind), partition);
        Map<String, Object> annotations = new TreeMap<>();
        if (desired.get("metadata.annotations") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> annotations.put(String.valueOf(k), v));
        }
        annotations.put(ANNOTATION, Ownership.fleetOf(desired) + "=" + partition);
        out.put("metadata.annotations", annotations);
        return out;
    }

    /** The partition this fleet set on the live object and that is still there, if any. */
    static Optional<Long> own(Map<String, Object> live, long partitionNow) {
        Object recorded = Ownership.metadataMap(live, "annotations").get(ANNOTATION);
        Optional<String> fleet = Ownership.fleetOfLive(live);
        if (recorded == null || fleet.isEmpty() || partitionNow <= 0) {
            return Optional.empty();
        }
        return String.valueOf(recorded).equals(fleet.get() + "=" + partitionNow) ? Optional.of(partitionNow)
                : Optional.empty();
    }
}
