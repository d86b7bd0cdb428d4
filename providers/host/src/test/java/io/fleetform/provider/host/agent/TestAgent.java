package io.fleetform.provider.host.agent;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** An agent on a loopback port standing for one host, with its own data directory, token and client. */
final class TestAgent implements AutoCloseable {
    static final String TOKEN = "fleetform-test-token-0123456789abcdef";
    private static final HttpClient RAW = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    final String name;
    final Path dataDir;
    final Path tokenFile;
    final Path root;
    private final io.fleetform.provider.sriov.Commands commands;
    private AgentServer server;
    private AgentClient client;

    private TestAgent(String name, Path dataDir, Path tokenFile, Path root,
                      io.fleetform.provider.sriov.Commands commands) {
        this.name = name;
        this.dataDir = dataDir;
        this.tokenFile = tokenFile;
        this.root = root;
        this.commands = commands;
    }

    /** Starts an agent named {@code name} with its files under {@code base}, facts read under {@code root}. */
    static TestAgent start(Path base, String name, Path root) throws IOException {
        return start(base, name, root, io.fleetform.provider.sriov.Commands.SYSTEM);
    }

    /** An agent whose SR-IOV commands run through {@code commands} (a fixture root's). */
    static TestAgent start(Path base, String name, Path root, io.fleetform.provider.sriov.Commands commands)
            throws IOException {
        Path dir = Files.createDirectories(base.resolve(name));
        Path token = dir.resolve("token");
        Files.writeString(token, TOKEN + "\n");
        TestAgent a = new TestAgent(name, dir.resolve("data"), token, root, commands);
        a.startServer(0);
        return a;
    }

    private void startServer(int port) throws IOException {
        server = AgentServer.start(AgentOptions.of(new InetSocketAddress("127.0.0.1", port), tokenFile, dataDir)
                .withRoot(root), commands);
        client = AgentClient.builder(server.baseUri(), TOKEN).name(name).backoff(Duration.ofMillis(20),
                Duration.ofMillis(200)).build();
    }

    /** Stops the agent and starts it again on the same port and data directory. */
    void restart() throws IOException {
        int port = server.port();
        server.close();
        startServer(port);
    }

    AgentClient client() {
        return client;
    }

    AgentServer server() {
        return server;
    }

    String agentId() {
        return server.agentId();
    }

    URI uri(String path) {
        return URI.create(server.baseUri() + path);
    }

    /** A raw request: {@code token} null sends no Authorization header; {@code body} null sends none. */
    HttpResponse<String> send(String method, String path, String body, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofMinutes(2));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            return RAW.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> send(String method, String path, String body) {
        return send(method, path, body, TOKEN);
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
