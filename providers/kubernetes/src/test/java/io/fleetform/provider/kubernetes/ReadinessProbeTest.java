package io.fleetform.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A service's {@code health} probe is its pods' readiness probe (what the rollout wait counts as Ready). */
class ReadinessProbeTest {
    @TempDir
    Path dir;

    private JsonNode container(String health) throws Exception {
        TestClusters.Cluster offline = new TestClusters.Cluster("one", dir, dir.resolve("kubeconfig"), "ctx", "");
        String yaml = KubernetesRender.render(TestFleets.load(dir, TestFleets.fleet("rp", 1, "1Gi", health, offline)),
                TestFleets.env(), Map.of()).yaml();
        List<JsonNode> docs = new ArrayList<>();
        new ObjectMapper(new YAMLFactory()).readerFor(JsonNode.class).readValues(yaml).forEachRemaining(
                d -> docs.add((JsonNode) d));
        JsonNode workload = docs.stream().filter(d -> d.path("kind").asText().equals("StatefulSet")).findFirst()
                .orElseThrow();
        return workload.at("/spec/template/spec/containers/0");
    }

    @Test
    void httpTcpAndExecProbesBecomeReadinessProbes() throws Exception {
        JsonNode http = container("    health {\n      http = \"/healthz\"\n      port = \"game\"\n      interval = 3s\n"
                + "      timeout = 1500ms\n      healthy_after = 2\n      unhealthy_after = 4\n    }\n");
        assertThat(http.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/healthz");
        assertThat(http.at("/readinessProbe/httpGet/port").asInt()).isEqualTo(7000);
        assertThat(http.at("/readinessProbe/periodSeconds").asInt()).isEqualTo(3);
        assertThat(http.at("/readinessProbe/timeoutSeconds").asInt()).isEqualTo(2);
        assertThat(http.at("/readinessProbe/successThreshold").asInt()).isEqualTo(2);
        assertThat(http.at("/readinessProbe/failureThreshold").asInt()).isEqualTo(4);

        assertThat(container("    health { tcp = \"udp\" }\n").at("/readinessProbe/tcpSocket/port").asInt())
                .isEqualTo(9000);
        assertThat(container("    health { exec = [\"test\", \"-f\", \"/ready\"] }\n")
                .at("/readinessProbe/exec/command").toString()).isEqualTo("[\"test\",\"-f\",\"/ready\"]");
        assertThat(container("").has("readinessProbe")).isFalse();
    }
}
