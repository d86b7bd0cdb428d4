package io.fleetform.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** A partition or pause someone else set on a workload, as the rollout wait reads it. */
class RolloutHoldTest {
    private static Map<String, Object> workload(Map<String, Object> spec, long updated) {
        return Map.of("metadata", Map.of("generation", 2), "spec", spec, "status", Map.of("observedGeneration", 2,
                "replicas", 4, "readyReplicas", 4, "updatedReplicas", updated));
    }

    @Test
    void aPartitionKeepsThatManyPodsAtTheOldRevisionAndTheWaitIsDoneWithoutThem() {
        Map<String, Object> sts = workload(Map.of("replicas", 4, "updateStrategy", Map.of("type", "RollingUpdate",
                "rollingUpdate", Map.of("partition", 3))), 1);
        RolloutHold hold = RolloutHold.of(sts);
        assertThat(hold.partition()).isEqualTo(3);
        assertThat(KubernetesProvider.Rollout.of(sts).done()).isFalse();
        assertThat(hold.done(KubernetesProvider.Rollout.of(sts))).isTrue();
        assertThat(hold.done(KubernetesProvider.Rollout.of(workload(Map.of("replicas", 4, "updateStrategy",
                Map.of("rollingUpdate", Map.of("partition", 3))), 0)))).isFalse();
    }

    @Test
    void aCloneSetPartitionMayBeAPercentageAndPausesAreFoundWhereEachKindKeepsThem() {
        assertThat(RolloutHold.of(workload(Map.of("replicas", 4, "updateStrategy", Map.of("partition", "50%")), 2))
                .partition()).isEqualTo(2);
        assertThat(RolloutHold.of(workload(Map.of("replicas", 4, "paused", true), 0)).paused()).contains("spec.paused");
        assertThat(RolloutHold.of(workload(Map.of("replicas", 4, "updateStrategy", Map.of("paused", true)), 0))
                .paused()).contains("spec.updateStrategy.paused");
        assertThat(RolloutHold.of(workload(Map.of("replicas", 4), 4))).isEqualTo(RolloutHold.NONE);
    }
}
