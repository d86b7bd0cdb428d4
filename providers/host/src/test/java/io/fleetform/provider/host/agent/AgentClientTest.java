package io.fleetform.provider.host.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import io.fleetform.engine.testing.Loopback;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link AgentClient}: errors that say who/what/why, retries with backoff, TLS. */
class AgentClientTest {
    @TempDir
    Path tmp;
    private HttpServer stub;

    @AfterEach
    void stopStub() {
        if (stub != null) {
            stub.stop(0);
        }
    }

    /**
     * A server answering {@code statuses} in turn (then the last one forever), counting requests;
     * status 0 drops the connection without an answer, and a 429 asks to come back in a second.
     */
    private URI stub(AtomicInteger count, int... statuses) throws IOException {
        stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        stub.createContext("/", ex -> {
            int i = count.getAndIncrement();
            int status = statuses[Math.min(i, statuses.length - 1)];
            if (status == 0) {
                ex.close();
                return;
            }
            if (status == 429) {
                ex.getResponseHeaders().set("Retry-After", "1");
            }
            byte[] body = (status == 200
                    ? "{\"agentId\":\"stub\",\"revision\":7,\"allocations\":[],\"free\":{\"cores\":\"0-3\","
                    + "\"memoryBytes\":1,\"diskBytes\":2,\"vfs\":[]}}"
                    : "{\"error\":\"" + (status >= 500 ? "engine_unavailable" : "bad_request")
                    + "\",\"message\":\"answer number " + (i + 1) + "\"}").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        stub.start();
        return URI.create("http://127.0.0.1:" + stub.getAddress().getPort());
    }

    private static AgentClient client(URI uri, int attempts) {
        return AgentClient.builder(uri, TestAgent.TOKEN).name("host-z").maxAttempts(attempts)
                .backoff(Duration.ofMillis(10), Duration.ofMillis(50)).build();
    }

    @Test
    void errorsNameTheAgentTheCallAndTheAnswer() throws IOException {
        try (TestAgent a = TestAgent.start(tmp, "host-a", FactsReaderTest.fixture())) {
            a.client().claim("zone.s1.logic[0]", new AllocationRequest(0, "4-7", 1024, null, 0, null));
            AgentException e = catchThrowableOfType(AgentException.class, () -> a.client()
                    .claim("zone.s1.logic[1]", new AllocationRequest(0, "7", 1024, null, 0, null)));
            assertThat(e.getMessage()).isEqualTo("agent host-a (" + a.server().baseUri() + "): PUT "
                    + "/v1/allocations/zone.s1.logic%5B1%5D -> 409 conflict: claim for zone.s1.logic[1] refused: "
                    + "cores 7 are held by zone.s1.logic[0]");
            assertThat(e.agent()).isEqualTo("host-a");
            assertThat(e.call()).isEqualTo("PUT /v1/allocations/zone.s1.logic%5B1%5D");
            assertThat(e.conflicts()).singleElement().extracting(Conflict::heldBy).isEqualTo("zone.s1.logic[0]");
            assertThat(a.client().allocation("zone.s1.logic[1]")).isEmpty();
            assertThat(a.client().allocation("zone.s1.logic[0]")).get().extracting(Allocation::cores).isEqualTo("4-7");

            AgentClient wrong = AgentClient.builder(a.server().baseUri(), "not-the-token").name("host-a").build();
            AgentException denied = catchThrowableOfType(AgentException.class, wrong::allocations);
            assertThat(denied.status()).isEqualTo(401);
            assertThat(denied.getMessage()).endsWith("GET /v1/allocations -> 401 unauthorized: missing or wrong "
                    + "bearer token (send Authorization: Bearer <token>)");
        }
    }

    @Test
    void retriesServerErrorsWithBackoffThenSucceeds() throws IOException {
        AtomicInteger count = new AtomicInteger();
        LedgerView v = client(stub(count, 503, 502, 200), 4).allocations();
        assertThat(v.revision()).isEqualTo(7);
        assertThat(count.get()).isEqualTo(3);
    }

    @Test
    void givesUpOnServerErrorsAfterMaxAttemptsWithTheLastAnswer() throws IOException {
        AtomicInteger count = new AtomicInteger();
        URI uri = stub(count, 503);
        AgentException e = catchThrowableOfType(AgentException.class, () -> client(uri, 3).allocations());
        assertThat(count.get()).isEqualTo(3);
        assertThat(e.status()).isEqualTo(503);
        assertThat(e.getMessage()).isEqualTo("agent host-z (" + uri + "): GET /v1/allocations -> 503 "
                + "engine_unavailable: answer number 3 (after 3 attempts)");
    }

    @Test
    void aDroppedConnectionIsRetriedAndA429WaitsItsRetryAfter() throws IOException {
        AtomicInteger count = new AtomicInteger();
        AgentClient client = AgentClient.builder(stub(count, 0, 429, 200), TestAgent.TOKEN).name("host-z")
                .maxAttempts(4).backoff(Duration.ofMillis(10), Duration.ofSeconds(5)).build();
        long started = System.nanoTime();
        assertThat(client.allocations().revision()).isEqualTo(7);
        assertThat(count.get()).isEqualTo(3);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }

    @Test
    void doesNotRetryClientErrors() throws IOException {
        AtomicInteger count = new AtomicInteger();
        URI uri = stub(count, 400, 200);
        AgentException e = catchThrowableOfType(AgentException.class, () -> client(uri, 4).allocations());
        assertThat(e.status()).isEqualTo(400);
        assertThat(count.get()).isEqualTo(1);
    }

    @Test
    void retriesConnectErrorsUntilTheAgentIsUp() throws Exception {
        // a leased port below the ephemeral ones: a port the kernel handed out once (new ServerSocket(0)) may be the
        // local end of any connection by the time the agent binds it
        int port = Loopback.freePortRange(12000, 400, 1);
        // up to ~16 s of tries: the agent starts after 0.6 s, but slowly on a loaded machine
        AgentClient c = AgentClient.builder(URI.create("http://127.0.0.1:" + port), TestAgent.TOKEN).name("late")
                .maxAttempts(42).backoff(Duration.ofMillis(100), Duration.ofMillis(400)).build();
        Path token = Files.writeString(tmp.resolve("token"), TestAgent.TOKEN);
        CompletableFuture<AgentServer> later = CompletableFuture.supplyAsync(() -> {
            try {
                Thread.sleep(600);
                return AgentServer.start(AgentOptions.of(new InetSocketAddress("127.0.0.1", port), token,
                        tmp.resolve("data")).withRoot(FactsReaderTest.fixture()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            assertThat(c.allocations().revision()).isZero();
        } finally {
            later.get(30, TimeUnit.SECONDS).close();
        }
        AgentClient gone = AgentClient.builder(URI.create("http://127.0.0.1:" + port), TestAgent.TOKEN).name("gone")
                .maxAttempts(3).backoff(Duration.ofMillis(10), Duration.ofMillis(20)).build();
        AgentException e = catchThrowableOfType(AgentException.class, gone::facts);
        assertThat(e.status()).isZero();
        assertThat(e.getMessage()).startsWith("agent gone (http://127.0.0.1:" + port + "): GET /v1/facts -> no answer: "
                + "cannot connect after 3 attempt(s): ConnectException");
    }

    @Test
    void aChangeWaitsForARestartingAgentWhileAReadSaysAtOnceItIsDown() throws Exception {
        int port = Loopback.freePortRange(12400, 400, 1);
        Path token = Files.writeString(tmp.resolve("token"), TestAgent.TOKEN);
        AgentOptions options = AgentOptions.of(new InetSocketAddress("127.0.0.1", port), token, tmp.resolve("data"))
                .withRoot(FactsReaderTest.fixture());
        // the defaults the host provider uses: 4 quick attempts for a read
        AgentClient read = AgentClient.builder(URI.create("http://127.0.0.1:" + port), TestAgent.TOKEN).name("h1")
                .build();
        AgentClient change = read.ridingThrough(Duration.ofSeconds(30));
        String agentId;
        try (AgentServer first = AgentServer.start(options)) {
            agentId = change.allocations().agentId();
        }
        // the agent restarts: down for 3 s, more than the read's retries last
        CompletableFuture<AgentServer> restarted = CompletableFuture.supplyAsync(() -> {
            try {
                Thread.sleep(3000);
                return AgentServer.start(options);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            long t0 = System.nanoTime();
            AgentException down = catchThrowableOfType(AgentException.class, read::allocations);
            assertThat(down.getMessage()).contains("cannot connect after 4 attempt(s)");
            assertThat(restarted).isNotDone(); // the read gave up before the agent came back
            assertThat(change.allocations().agentId()).isEqualTo(agentId); // the same agent, its data kept
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThan(Duration.ofMillis(2500));
        } finally {
            restarted.get(30, TimeUnit.SECONDS).close();
        }
        // an agent that stays down fails the change once the window is over, saying how long it waited
        long t0 = System.nanoTime();
        AgentException gone = catchThrowableOfType(AgentException.class,
                () -> read.ridingThrough(Duration.ofSeconds(3)).facts());
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(2900), Duration.ofSeconds(8));
        assertThat(gone.getMessage()).containsPattern("cannot connect after \\d+ attempt\\(s\\) over [34] s: "
                + "ConnectException");
    }

    @Test
    void servesHttpsFromAPkcs12KeystoreAndRefusesUntrustedClients() throws Exception {
        Path ks = tmp.resolve("agent.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        DockerSupport.Result r = DockerSupport.run(keytool, "-genkeypair", "-alias", "agent", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=host-a", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", "changeit");
        assertThat(r.exit()).as(r.err()).isZero();
        Path token = Files.writeString(tmp.resolve("token"), TestAgent.TOKEN);
        try (AgentServer server = AgentServer.start(AgentOptions.of(new InetSocketAddress("127.0.0.1", 0), token,
                tmp.resolve("data")).withRoot(FactsReaderTest.fixture()).withTls(ks, "changeit"))) {
            assertThat(server.baseUri().getScheme()).isEqualTo("https");
            KeyStore trust = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(ks)) {
                trust.load(in, "changeit".toCharArray());
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            AgentClient trusted = AgentClient.builder(server.baseUri(), TestAgent.TOKEN).name("host-a").sslContext(ctx)
                    .build();
            assertThat(trusted.facts().cpus().count()).isEqualTo(32);
            assertThat(trusted.claim("a[0]", new AllocationRequest(null, "1", 1, null, 0, null)).status())
                    .isEqualTo(ClaimResult.Status.CLAIMED);

            AgentClient untrusted = AgentClient.builder(server.baseUri(), TestAgent.TOKEN).name("host-a").build();
            AgentException e = catchThrowableOfType(AgentException.class, untrusted::facts);
            assertThat(e.status()).isZero();
            assertThat(e.answer()).contains("SSLHandshakeException");
            AgentClient plain = AgentClient.builder(URI.create("http://127.0.0.1:" + server.port()), TestAgent.TOKEN)
                    .maxAttempts(1).build();
            assertThat(catchThrowableOfType(AgentException.class, plain::facts).status()).isIn(0, 400);
        }
        IOException wrongPassword = catchThrowableOfType(IOException.class, () -> AgentServer.start(AgentOptions.of(
                new InetSocketAddress("127.0.0.1", 0), token, tmp.resolve("data2")).withTls(ks, "wrong")));
        assertThat(wrongPassword).hasMessageContaining("cannot use the TLS keystore " + ks)
                .hasMessageContaining("password was incorrect");
    }

    @Test
    void encodesAddressesForPaths() {
        assertThat(AgentClient.encode("zone.s12.service.logic[0]")).isEqualTo("zone.s12.service.logic%5B0%5D");
        assertThat(ApiHandler.segments("/v1/allocations/zone.s12.service.logic%5B0%5D"))
                .isEqualTo(List.of("v1", "allocations", "zone.s12.service.logic[0]"));
    }
}
