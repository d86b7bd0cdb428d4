package io.fleetform.provider.host.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * A call to an agent is not held back by Nagle's algorithm: the JDK's server writes the headers and the body of an
 * answer as two segments, and with Nagle on the body waits for the client's delayed acknowledgement (40 ms on Linux)
 * on every call. Each probe runs in a JVM of its own, since the JDK's server reads its setting once per JVM, and
 * makes sequential keep-alive calls through the agents' shared client (a request body and a JSON answer, as the
 * agent's API does); the figure compared is the median, against the delayed-acknowledgement floor.
 */
class AgentListenerTest {
    private static final int CALLS = 40;

    @Test
    void theAgentsServerAnswersWithoutWaitingForTheClientsAcknowledgement() throws Exception {
        Probe withDefaults = probe(List.of());
        assertThat(withDefaults.noDelay()).as("the agent's listener turns TCP_NODELAY on").isTrue();
        assertThat(withDefaults.medianMillis()).as("median call, ms").isLessThan(30);
    }

    @Test
    void aUsersOwnSettingIsKeptAndShowsWhatTheDelayCosts() throws Exception {
        // the user said no: kept; and the same probe then meets the delay, so the first test can fail
        Probe nagle = probe(List.of("-D" + AgentListener.NO_DELAY + "=false"));
        assertThat(nagle.noDelay()).isFalse();
        assertThat(nagle.medianMillis()).as("median call with Nagle on, ms").isGreaterThanOrEqualTo(35);
    }

    private record Probe(boolean noDelay, double medianMillis) {
    }

    private static Probe probe(List<String> jvmOptions) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        String last = out.strip().lines().reduce((a, b) -> b).orElseThrow();
        String[] f = last.split(" ");
        assertThat(f).as(out).hasSize(3);
        return new Probe(Boolean.parseBoolean(f[1]), Double.parseDouble(f[2]));
    }

    /** The probe: a listener made as the agent makes it, and the agents' client calling it. */
    public static final class Main {
        public static void main(String[] args) throws IOException, InterruptedException {
            HttpServer server = AgentListener.create(new InetSocketAddress("127.0.0.1", 0), null);
            byte[] answer = ("{\"allocation\":{\"cores\":[4,5],\"ipv4\":\"10.1.2.3\",\"detail\":\""
                    + "x".repeat(400) + "\"}}").getBytes(StandardCharsets.UTF_8);
            server.setExecutor(Executors.newFixedThreadPool(2));
            server.createContext("/", ex -> {
                ex.getRequestBody().readAllBytes();
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(200, answer.length);
                ex.getResponseBody().write(answer);
                ex.close();
            });
            server.start();
            URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/claims/x");
            try (AgentHttp http = AgentHttp.create()) {
                double[] ms = new double[CALLS];
                for (int i = 0; i < CALLS; i++) {
                    long t0 = System.nanoTime();
                    http.client().send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                            .PUT(HttpRequest.BodyPublishers.ofString("{\"cores\":2,\"memory_mb\":512}")).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
                Arrays.sort(ms);
                System.out.println("probe " + AgentListener.noDelay() + " " + ms[CALLS / 2]);
            } finally {
                server.stop(0);
            }
            System.exit(0);
        }
    }
}
