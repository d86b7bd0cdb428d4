package io.fleetform.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Manifests as attributes and back; what refresh keeps of a live object. Fast, no cluster. */
class FlatTest {
    private static final Map<String, Object> MANIFEST = Map.of(
            "apiVersion", "apps/v1",
            "metadata", Map.of("name", "s1-logic", "labels", Map.of("app.kubernetes.io/name", "logic")),
            "spec", Map.of("replicas", 2L, "selector", Map.of("matchLabels", Map.of("a", "b")),
                    "template", Map.of("spec", Map.of("containers", List.of(Map.of("name", "logic",
                            "command", List.of("/g", "--x"), "resources", Map.of("limits", Map.of("cpu", "8"))),
                            Map.of("name", "side", "volumeMounts", List.of()))))));

    @Test
    void flattensToFieldPathsAndBack() {
        Map<String, Object> flat = Flat.flatten(MANIFEST);
        assertThat(flat).containsEntry("spec.replicas", 2L)
                .containsEntry("metadata.labels", Map.of("app.kubernetes.io/name", "logic"))
                .containsEntry("spec.selector.matchLabels", Map.of("a", "b"))
                .containsEntry("spec.template.spec.containers[0].command", List.of("/g", "--x"))
                .containsEntry("spec.template.spec.containers[0].resources.limits", Map.of("cpu", "8"))
                .containsEntry("spec.template.spec.containers[1].volumeMounts", List.of());
        assertThat(Flat.unflatten(flat)).isEqualTo(MANIFEST);
    }

    @Test
    void refreshKeepsOnlyTheFieldsFleetformWrites() {
        Map<String, Object> managed = Flat.flatten(MANIFEST);
        Map<String, Object> container = Map.of("name", "logic", "command", List.of("/g", "--x"),
                "terminationMessagePath", "/dev/x", "resources", Map.of("limits", Map.of("cpu", "8")));
        Map<String, Object> spec = Map.of("replicas", 3L, "revisionHistoryLimit", 10,
                "selector", Map.of("matchLabels", Map.of("a", "b")),
                "template", Map.of("spec", Map.of("containers", List.of(container))));
        Map<String, Object> live = Map.of("apiVersion", "apps/v1", "status", Map.of("replicas", 2),
                "metadata", Map.of("name", "s1-logic", "uid", "u",
                        "labels", Map.of("app.kubernetes.io/name", "logic", "team", "sre")),
                "spec", spec);
        Map<String, Object> seen = KubernetesProvider.project(live, managed, Set.of());
        assertThat(seen).containsEntry("spec.replicas", 3L)
                .containsEntry("metadata.labels", Map.of("app.kubernetes.io/name", "logic"))
                .doesNotContainKeys("metadata.uid", "spec.revisionHistoryLimit", "status.replicas",
                        "spec.template.spec.containers[0].terminationMessagePath",
                        "spec.template.spec.containers[1].volumeMounts");
    }

    @Test
    void quantitiesAreCanonicalStrings() {
        assertThat(Manifests.cpuQuantity(8000)).isEqualTo("8");
        assertThat(Manifests.cpuQuantity(500)).isEqualTo("500m");
        assertThat(Manifests.bytesQuantity(16L << 30)).isEqualTo("16Gi");
        assertThat(Manifests.bytesQuantity(1536L << 20)).isEqualTo("1536Mi");
        assertThat(Manifests.bytesQuantity(1000)).isEqualTo("1000");
        assertThat(Manifests.protocol("udp")).isEqualTo("UDP");
        assertThat(Manifests.protocol("game")).isEqualTo("TCP");
    }
}
