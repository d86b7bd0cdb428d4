package io.fleetform.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fleetform.engine.model.Fleet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fleetform render} prints Secrets Kubernetes accepts: without their data (a comment
 * names the keys), or with the real base64 values only when asked; never a value anywhere else.
 */
class KubernetesRenderSecretsTest {
    @TempDir
    Path dir;

    private Fleet fleet() throws Exception {
        TestClusters.Cluster offline = new TestClusters.Cluster("one", dir, dir.resolve("kubeconfig"), "ctx", "");
        return TestFleets.load(dir, TestFleets.fleet("rs", 1, "1Gi", "", offline));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> documents(String yaml) throws Exception {
        List<Map<String, Object>> docs = new ArrayList<>();
        try (MappingIterator<Map<String, Object>> it = new ObjectMapper(new YAMLFactory()).readerFor(Map.class)
                .readValues(yaml)) {
            while (it.hasNext()) {
                docs.add(it.next());
            }
        }
        return docs;
    }

    @Test
    void secretsAreValidWithoutTheirDataAndNoValueIsPrinted() throws Exception {
        String yaml = KubernetesRender.render(fleet(), TestFleets.env(), Map.of()).yaml();
        String b64 = Base64.getEncoder().encodeToString(TestFleets.SECRET.getBytes(StandardCharsets.UTF_8));
        assertThat(yaml).doesNotContain(TestFleets.SECRET).doesNotContain(b64).doesNotContain("(sensitive)")
                .contains("# data omitted: DB_PASS (sensitive; fleetform render --show-secrets prints them)");
        List<Map<String, Object>> docs = documents(yaml);
        List<Map<String, Object>> secrets = docs.stream().filter(d -> "Secret".equals(d.get("kind"))).toList();
        assertThat(secrets).hasSize(1);
        Map<String, Object> secret = secrets.get(0);
        assertThat(secret).containsEntry("apiVersion", "v1").containsEntry("type", "Opaque").doesNotContainKey("data");
        assertThat(secret.get("metadata").toString()).contains("name=onez1-game-env")
                .contains("fleetform.io/address=k8s.one.secret.rs/onez1-game-env");
        assertThat(docs).allSatisfy(d -> assertThat(d).containsKeys("apiVersion", "kind", "metadata"));
        assertThat(yaml).contains(Manifests.SECRET_HASH_ANNOTATION + ": ");
    }

    @Test
    void showSecretsPrintsTheRealBase64Values() throws Exception {
        String yaml = KubernetesRender.render(fleet(), TestFleets.env(), Map.of(), true).yaml();
        Map<String, Object> secret = documents(yaml).stream().filter(d -> "Secret".equals(d.get("kind"))).findFirst()
                .orElseThrow();
        assertThat(secret.get("data")).isEqualTo(Map.of("DB_PASS", Base64.getEncoder().encodeToString(
                TestFleets.SECRET.getBytes(StandardCharsets.UTF_8))));
        assertThat(yaml).doesNotContain("# data omitted");
    }
}
