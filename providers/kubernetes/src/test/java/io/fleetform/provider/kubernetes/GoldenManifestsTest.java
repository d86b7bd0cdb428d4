package io.fleetform.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.eval.EvalOptions;
import io.fleetform.engine.load.FleetLoader;
import io.fleetform.engine.load.LoadResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.provider.ExpandRequest;
import io.fleetform.engine.provider.ProviderContext;
import io.fleetform.engine.resource.Resource;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rendered manifests (and the dependencies of the examples' resources) of the examples, checked in under src/test/resources/golden. After a
 * deliberate change: {@code mvn -pl providers/kubernetes test -Dtest=GoldenManifestsTest
 * -Dfleetform.updateGolden=true}, and review the diff.
 */
class GoldenManifestsTest {
    @ParameterizedTest
    @ValueSource(strings = {"mt2", "racing"})
    void examplesRenderAsCheckedIn(String example) throws Exception {
        Path repo = TestClusters.repo();
        LoadResult loaded = FleetLoader.fromClassPath().load(repo.resolve("examples").resolve(example),
                EvalOptions.defaults().withEnvironment(Map.of()));
        assertThat(loaded.hasErrors()).as(loaded.diagnostics().toString()).isFalse();
        KubernetesRender.Output out = KubernetesRender.render(loaded.fleetOrThrow(), Map.of(), Map.of());
        // only the plain word that a cluster's nodes enforce no IO caps, IRQ binding or RPS
        assertThat(out.diagnostics()).allSatisfy(d -> assertThat(d.code()).isEqualTo("k8s-not-enforced"));
        Path golden = repo.resolve("providers/kubernetes/src/test/resources/golden/" + example + ".yaml");
        if (Boolean.getBoolean("fleetform.updateGolden") || !Files.exists(golden)) {
            Files.createDirectories(golden.getParent());
            Files.writeString(golden, out.yaml(), StandardCharsets.UTF_8);
        }
        assertThat(out.yaml()).as("rendered %s differs from %s (-Dfleetform.updateGolden=true to accept)", example,
                golden).isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
    }

    /** Workloads wait for their image's registry resources (mt2's image is copied to a mirror); nothing else does. */
    @Test
    void workloadsDependOnTheirImageAndItsMirrors() throws Exception {
        Path repo = TestClusters.repo();
        LoadResult loaded = FleetLoader.fromClassPath().load(repo.resolve("examples/mt2"),
                EvalOptions.defaults().withEnvironment(Map.of()));
        assertThat(loaded.hasErrors()).as(loaded.diagnostics().toString()).isFalse();
        KubernetesProvider provider = new KubernetesProvider();
        var response = provider.expand(new ExpandRequest(loaded.fleetOrThrow(), Set.of("sh-prod"),
                new ProviderContext(repo.resolve("examples/mt2"), Map.of())));
        assertThat(response.resources()).isNotEmpty();
        for (Resource r : response.resources()) {
            List<String> deps = r.dependsOn().stream().map(ResourceAddress::value).toList();
            if (Kind.ofType(r.type()).orElseThrow().isWorkload()) {
                assertThat(deps).as(r.address().value()).contains("image.gamesvr", "image.gamesvr.mirror.sh-mirror")
                        .anyMatch(d -> d.startsWith("k8s.sh-prod.namespace."));
            } else {
                assertThat(deps).as(r.address().value()).noneMatch(d -> d.startsWith("image."));
            }
        }
    }

    /** Objects of a zone carry it, so apply changes them in the zone's rollout stage; the namespace belongs to none. */
    @Test
    void zoneObjectsCarryTheirZoneForRolloutStages() throws Exception {
        Path repo = TestClusters.repo();
        LoadResult loaded = FleetLoader.fromClassPath().load(repo.resolve("examples/mt2"),
                EvalOptions.defaults().withEnvironment(Map.of()));
        var response = new KubernetesProvider().expand(new ExpandRequest(loaded.fleetOrThrow(), Set.of("sh-prod"),
                new ProviderContext(repo.resolve("examples/mt2"), Map.of())));
        for (Resource r : response.resources()) {
            if (r.type().equals("k8s_namespace")) {
                assertThat(r.zone()).as(r.address().value()).isEmpty();
            } else {
                assertThat(r.zone()).as(r.address().value()).isNotEmpty();
                assertThat(r.address().value()).contains("/" + r.zone() + "-");
            }
        }
        assertThat(response.resources()).anySatisfy(r -> assertThat(r.zone()).isEqualTo("s1"));
    }
}
