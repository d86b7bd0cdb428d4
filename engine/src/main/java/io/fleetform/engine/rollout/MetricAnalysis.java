package io.fleetform.engine.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetform.engine.model.MetricGate;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Runs a stage's metric gate against Prometheus' HTTP API ({@code /api/v1/query}): every
 * {@code every} for {@code for}, once per zone of the stage when the query names {@code ${zone}}.
 * Every value must stay within {@code max}/{@code min}; the first one outside fails the gate with
 * the measured value; a query with no data, an error answer or an unreachable server is
 * inconclusive, which stops the rollout as well (a gate that cannot see must not pass).
 */
public final class MetricAnalysis {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** @param passed whether every measurement was within the threshold; {@code why} says what was measured */
    public record Result(boolean passed, boolean inconclusive, String why) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public Result run(MetricGate gate, List<String> zones, BooleanSupplier interrupted, Consumer<String> progress)
            throws InterruptedException {
        List<String> queries = new ArrayList<>();
        if (gate.query().contains("${zone}")) {
            zones.forEach(z -> queries.add(gate.query().replace("${zone}", z)));
        } else {
            queries.add(gate.query());
        }
        long end = System.nanoTime() + gate.duration().toNanos();
        int rounds = 0;
        String last = "";
        while (true) {
            if (interrupted.getAsBoolean()) {
                return new Result(false, true, "interrupted during the metric analysis");
            }
            List<String> measured = new ArrayList<>();
            for (String query : queries) {
                Measurement m = measure(gate.prometheus(), query);
                if (m.problem() != null) {
                    return new Result(false, true, "inconclusive: " + m.problem() + " (query " + query + ")");
                }
                for (double v : m.values()) {
                    String value = format(v);
                    if (gate.max().isPresent() && v > gate.max().get()) {
                        return new Result(false, false, "metric " + query + " = " + value + ", above max "
                                + format(gate.max().get()));
                    }
                    if (gate.min().isPresent() && v < gate.min().get()) {
                        return new Result(false, false, "metric " + query + " = " + value + ", below min "
                                + format(gate.min().get()));
                    }
                    measured.add(value);
                }
            }
            rounds++;
            last = "metric within threshold (" + String.join(", ", measured) + "), " + rounds + " measurement(s)";
            progress.accept(last);
            if (System.nanoTime() >= end) {
                return new Result(true, false, last);
            }
            long sleep = Math.min(gate.every().toMillis(), Math.max(1, (end - System.nanoTime()) / 1_000_000));
            Thread.sleep(sleep);
        }
    }

    private record Measurement(List<Double> values, String problem) {
    }

    private Measurement measure(String base, String query) throws InterruptedException {
        String url = base.replaceAll("/+$", "") + "/api/v1/query?query=" + URLEncoder.encode(query,
                StandardCharsets.UTF_8);
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException | IllegalArgumentException e) {
            return new Measurement(List.of(), "Prometheus at " + base + " did not answer: " + e.getMessage());
        }
        JsonNode root;
        try {
            root = JSON.readTree(response.body());
        } catch (IOException e) {
            return new Measurement(List.of(), "Prometheus at " + base + " answered HTTP " + response.statusCode()
                    + " with no JSON");
        }
        if (!"success".equals(root.path("status").asText())) {
            return new Measurement(List.of(), "Prometheus answered HTTP " + response.statusCode() + ": "
                    + root.path("errorType").asText() + " " + root.path("error").asText());
        }
        JsonNode data = root.path("data");
        List<Double> values = new ArrayList<>();
        switch (data.path("resultType").asText()) {
            case "scalar" -> values.add(number(data.path("result").path(1)));
            case "vector" -> data.path("result").forEach(r -> values.add(number(r.path("value").path(1))));
            default -> {
                return new Measurement(List.of(), "the query gives a " + data.path("resultType").asText()
                        + ", not a number or an instant vector");
            }
        }
        values.removeIf(v -> v.isNaN());
        if (values.isEmpty()) {
            return new Measurement(List.of(), "no data");
        }
        return new Measurement(values, null);
    }

    private static double number(JsonNode n) {
        try {
            return Double.parseDouble(n.asText());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v)
                : String.format(Locale.ROOT, "%.6g", v).replaceAll("0+$", "").replaceAll("\\.$", "");
    }
}
