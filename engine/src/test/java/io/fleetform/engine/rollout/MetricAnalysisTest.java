package io.fleetform.engine.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.model.MetricGate;
import io.fleetform.engine.testing.Loopback;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Metric gates against a real Prometheus (Debian's {@code prometheus}) scraping a real
 * {@code prometheus-pushgateway}, both on free loopback ports: a value over the threshold fails
 * with the value, under it passes, no data is inconclusive, and so is a Prometheus that does not
 * answer. Short {@code for}/{@code every} keep it quick.
 */
class MetricAnalysisTest {
    @TempDir
    static Path dir;
    private static Process pushgateway;
    private static Process prometheus;
    private static String pushUrl;
    private static String promUrl;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        int pg = freePort();
        int prom = freePort();
        pushUrl = "http://127.0.0.1:" + pg;
        promUrl = "http://127.0.0.1:" + prom;
        pushgateway = new ProcessBuilder("prometheus-pushgateway", "--web.listen-address=127.0.0.1:" + pg)
                .redirectErrorStream(true).redirectOutput(dir.resolve("pushgateway.log").toFile()).start();
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                scrape_configs:
                  - job_name: push
                    honor_labels: true
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(pg));
        prometheus = new ProcessBuilder("prometheus", "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve(
                "data"), "--web.listen-address=127.0.0.1:" + prom).redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        // The pushgateway takes a moment to listen: push only once it answers (a push before that is refused).
        long up = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!answers(pushUrl + "/-/ready")) {
            assertThat(pushgateway.isAlive()).as("the pushgateway runs; its log: "
                    + Files.readString(dir.resolve("pushgateway.log"))).isTrue();
            assertThat(System.nanoTime()).as("the pushgateway listens; its log: "
                    + Files.readString(dir.resolve("pushgateway.log"))).isLessThan(up);
            Thread.sleep(100);
        }
        push("z1", "0.5");
        push("z2", "0.001");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!(has("z1") && has("z2"))) {
            assertThat(System.nanoTime()).as("Prometheus has the pushed metrics; its log: "
                    + Files.readString(dir.resolve("prometheus.log"))).isLessThan(deadline);
            Thread.sleep(300);
        }
    }

    @AfterAll
    static void stop() throws InterruptedException {
        for (Process p : new Process[] {prometheus, pushgateway}) {
            if (p != null) {
                p.destroy();
                p.waitFor();
            }
        }
    }

    /** A leased port below the ephemeral ones (see {@link Loopback#freePort}): Prometheus binds it later. */
    private static int freePort() {
        return Loopback.freePort();
    }

    private static void push(String zone, String value) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(pushUrl + "/metrics/job/fleet/zone/"
                + zone)).POST(HttpRequest.BodyPublishers.ofString("errors_per_second " + value + "\n")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
    }

    private static boolean answers(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean has(String zone) {
        try {
            String q = URLEncoder.encode("errors_per_second{zone=\"" + zone + "\"}", StandardCharsets.UTF_8);
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(promUrl + "/api/v1/query?query=" + q))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().contains("\"value\"");
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static MetricGate gate(String url) {
        return new MetricGate(url, "errors_per_second{zone=\"${zone}\"}", Optional.of(0.01), Optional.empty(),
                Duration.ofSeconds(2), Duration.ofMillis(500), SourceSpan.NONE);
    }

    @Test
    void aValueOverTheThresholdFailsWithTheMeasuredValue() throws Exception {
        MetricAnalysis.Result r = new MetricAnalysis().run(gate(promUrl), List.of("z2", "z1"), () -> false, d -> { });
        assertThat(r.passed()).isFalse();
        assertThat(r.inconclusive()).isFalse();
        assertThat(r.why()).contains("errors_per_second{zone=\"z1\"} = 0.5").contains("above max 0.01");
    }

    @Test
    void valuesUnderTheThresholdForTheWholeWindowPass() throws Exception {
        long start = System.nanoTime();
        MetricAnalysis.Result r = new MetricAnalysis().run(gate(promUrl), List.of("z2"), () -> false, d -> { });
        assertThat(r.passed()).as(r.why()).isTrue();
        assertThat(r.why()).contains("0.001");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void noDataIsInconclusiveAndStops() throws Exception {
        MetricAnalysis.Result r = new MetricAnalysis().run(gate(promUrl), List.of("z3"), () -> false, d -> { });
        assertThat(r.passed()).isFalse();
        assertThat(r.inconclusive()).isTrue();
        assertThat(r.why()).contains("inconclusive: no data").contains("zone=\"z3\"");
    }

    @Test
    void aPrometheusThatDoesNotAnswerIsInconclusive() throws Exception {
        MetricAnalysis.Result r = new MetricAnalysis().run(gate("http://127.0.0.1:" + freePort()), List.of("z1"),
                () -> false, d -> { });
        assertThat(r.passed()).isFalse();
        assertThat(r.inconclusive()).isTrue();
        assertThat(r.why()).contains("did not answer");
    }
}
