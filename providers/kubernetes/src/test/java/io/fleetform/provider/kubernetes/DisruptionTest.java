package io.fleetform.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the plan says an update does to the pods, per workload kind. */
class DisruptionTest {
    private static final String IMAGE = "spec.template.spec.containers[0].image";
    private static final String MEMORY = "spec.template.spec.containers[0].resources.limits";

    @Test
    void outsideThePodTemplateNothingRestarts() {
        assertThat(KubernetesProvider.disruption(Kind.STATEFULSET, Set.of("spec.replicas"))).isEqualTo("in place");
        assertThat(KubernetesProvider.disruption(Kind.CONFIGMAP, Set.of("data"))).isEqualTo("in place");
    }

    @Test
    void builtInKindsReplaceTheirPodsKruiseKindsRestartContainersForAnImage() {
        assertThat(KubernetesProvider.disruption(Kind.STATEFULSET, Set.of(IMAGE))).isEqualTo("recreate");
        assertThat(KubernetesProvider.disruption(Kind.DEPLOYMENT, Set.of(IMAGE))).isEqualTo("recreate");
        assertThat(KubernetesProvider.disruption(Kind.CLONESET, Set.of(IMAGE))).isEqualTo("restart");
        assertThat(KubernetesProvider.disruption(Kind.ADVANCED_STATEFULSET, Set.of(IMAGE))).isEqualTo("restart");
        assertThat(KubernetesProvider.disruption(Kind.GAMESERVERSET,
                Set.of("spec.gameServerTemplate.spec.containers[1].image"))).isEqualTo("restart");
        assertThat(KubernetesProvider.disruption(Kind.CLONESET, Set.of(IMAGE, MEMORY))).isEqualTo("recreate");
    }
}
