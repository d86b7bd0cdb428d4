package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.fleetform.engine.eval.EvalOptions;
import io.fleetform.engine.load.FleetLoader;
import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.provider.ExpandRequest;
import io.fleetform.engine.provider.ExpandResponse;
import io.fleetform.engine.provider.FleetIdentity;
import io.fleetform.engine.provider.ProviderContext;
import io.fleetform.engine.provider.ProviderSession;
import io.fleetform.engine.provider.SessionRequest;
import io.fleetform.provider.host.agent.AgentOptions;
import io.fleetform.provider.host.agent.AgentServer;
import io.fleetform.provider.host.provider.HostProvider;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pool of 700 agents (fixture servers on 700 loopback ports answering as a real agent does): one
 * provider session plans on all of them with one HTTP client and a bounded number of threads,
 * whatever the number of agents.
 */
class ManyAgentsTest {
    private static final int AGENTS = 700;
    private static final String TOKEN = "many-agents-token-0123456789abcdef";

    @TempDir
    Path dir;

    @Test
    void sevenHundredAgentsShareOneHttpClientAndAFewThreads() throws Exception {
        long t0 = System.nanoTime();
        Map<String, String> answers = realAnswers();
        List<HttpServer> servers = new ArrayList<>();
        ExecutorService handlers = Executors.newFixedThreadPool(4);
        try {
            for (int i = 0; i < AGENTS; i++) {
                HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
                s.createContext("/", ex -> {
                    String body = answers.get(ex.getRequestURI().getPath());
                    byte[] bytes = (body == null ? "{\"error\":\"not_found\",\"message\":\"no\"}" : body)
                            .getBytes(StandardCharsets.UTF_8);
                    ex.getResponseHeaders().add("Content-Type", "application/json");
                    ex.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
                    ex.getResponseBody().write(bytes);
                    ex.close();
                });
                s.setExecutor(handlers);
                s.start();
                servers.add(s);
            }
            String agents = servers.stream().map(s -> "\"127.0.0.1:" + s.getAddress().getPort() + "\"")
                    .collect(Collectors.joining(", "));
            Files.writeString(dir.resolve("main.fleet"), """
                    fleet "many" { owner = "ops" }
                    image "toy" {
                      name = "fleetform/busybox"
                      tag  = "1"
                    }
                    hosts "big" {
                      agents = [%s]
                      token  = secret("agent")
                    }
                    idc "dc" {
                      region  = "here"
                      target  = hosts.big
                      ip_pool = "172.24.0.0/16"
                    }
                    zones "s" from 1 to 50 as z {
                      idc = idc.dc
                      service "game" {
                        image  = image.toy
                        cpu    = 100m
                        memory = 32Mi
                      }
                    }
                    """.formatted(agents));
            Map<String, String> env = Map.of("FLEETFORM_SECRET_AGENT", TOKEN);
            Fleet fleet = FleetLoader.fromClassPath().load(dir, EvalOptions.defaults().withEnvironment(env))
                    .fleetOrThrow();
            ProviderContext context = new ProviderContext(dir, env);
            long selectorsBefore = newestSelector();
            Set<Long> threadsBefore = threadIds(); // other tests' sessions may still be winding down
            int during;
            long selectorsDuring;
            ExpandResponse expanded;
            try (ProviderSession session = new HostProvider().open(new SessionRequest(Optional.of(fleet),
                    new FleetIdentity("many", UUID.randomUUID().toString()), List.of(), context))) {
                expanded = session.expand(new ExpandRequest(fleet, Set.of("big"), context));
                during = clientThreads(threadsBefore);
                selectorsDuring = selectorsAfter(selectorsBefore);
            }
            assertThat(expanded.diagnostics()).isEmpty();
            assertThat(expanded.resources()).hasSize(50);
            assertThat(expanded.resources().stream().map(r -> r.attributes().get("host")).distinct().count())
                    .as("placed across the pool").isGreaterThan(1);
            long newSelectors = selectorsDuring;
            System.out.println("700 agents: " + (during + newSelectors) + " client threads during planning ("
                    + newSelectors + " HTTP client selector, " + during + " session workers and readers: at most 4 + 16),"
                    + " planned in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            assertThat(newSelectors).as("one HTTP client for 700 agents").isEqualTo(1);
            assertThat(during).as("the session's own threads").isBetween(1, 20);
        } finally {
            servers.parallelStream().forEach(s -> s.stop(0)); // each stop waits a little: not 700 in a row
            handlers.shutdownNow();
        }
    }

    private static Set<Long> threadIds() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getId).collect(java.util.stream.Collectors.toSet());
    }

    /** The session's threads: the shared HTTP client's workers and the agent readers started since {@code before}. */
    private static int clientThreads(Set<Long> before) {
        return (int) Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> !before.contains(t.getId())).map(Thread::getName)
                // not "fleetform-agent-<n>": those serve in-process agents other tests of this JVM started
                .filter(n -> n.startsWith("fleetform-agent-http-") || n.startsWith("fleetform-agent-reader-")).count();
    }

    /** The JDK starts one selector thread per HTTP client, named {@code HttpClient-<n>-SelectorManager}. */
    private static List<Long> selectorNumbers() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("HttpClient-") && n.endsWith("-SelectorManager"))
                .map(n -> Long.parseLong(n.substring("HttpClient-".length(), n.length() - "-SelectorManager".length())))
                .toList();
    }

    private static long newestSelector() {
        return selectorNumbers().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    /** HTTP clients made since the one numbered {@code newest}, still alive. */
    private static long selectorsAfter(long newest) {
        return selectorNumbers().stream().filter(n -> n > newest).count();
    }

    /** What a real agent answers for its facts and its (empty) ledger, to serve from every fixture. */
    private Map<String, String> realAnswers() throws Exception {
        Path agentDir = Files.createDirectories(dir.resolve("agent"));
        Files.writeString(agentDir.resolve("token"), TOKEN);
        AgentServer agent = AgentServer.start(AgentOptions.of(new InetSocketAddress("127.0.0.1", 0),
                agentDir.resolve("token"), agentDir.resolve("data")));
        try {
            HttpClient http = HttpClient.newHttpClient();
            String facts = get(http, agent.baseUri().resolve("/v1/facts"));
            String allocations = get(http, agent.baseUri().resolve("/v1/allocations"));
            return Map.of("/v1/facts", facts, "/v1/allocations", allocations);
        } finally {
            agent.close();
        }
    }

    private static String get(HttpClient http, URI uri) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + TOKEN)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }
}
