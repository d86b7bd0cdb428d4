package io.fleetform.provider.host.provider;

import io.fleetform.provider.host.agent.AgentClient;
import io.fleetform.provider.host.agent.AgentHttp;
import io.fleetform.provider.host.agent.AgentOptions;
import io.fleetform.provider.host.agent.AgentServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;

/**
 * The agent of {@code hosts "x" { local = true }}: started in this process on a loopback port at
 * a session's first call to it, driving this machine's Docker Engine, its ledger under the
 * fleet's {@code .fleetform/} folder, and stopped when the last session using it closes. So a
 * newcomer needs nothing but a running dockerd.
 *
 * <p>The running agents are shared by folder within the process (an agent locks its data
 * directory, so two sessions on one folder — a test, an import next to a plan — must share it);
 * each session holds a reference and gives it back in {@link #close()}.
 */
final class LocalAgent implements AutoCloseable {
    static final String HOST = "local";

    /** A running agent and how many sessions use it. */
    private static final class Running {
        final AgentServer server;
        final String token;
        int users;

        Running(AgentServer server, String token) {
            this.server = server;
            this.token = token;
        }
    }

    private static final Map<Path, Running> RUNNING = new java.util.HashMap<>();

    private final Path dataDir;
    private final Map<String, String> environment;
    private Running held;

    LocalAgent(Path fleetDir, Map<String, String> environment) {
        this.dataDir = fleetDir.toAbsolutePath().normalize().resolve(".fleetform/local-agent");
        this.environment = environment;
    }

    AgentClient client(AgentHttp http) {
        Running r = acquire();
        return AgentClient.builder(r.server.baseUri(), r.token).name(HOST).transport(http).build();
    }

    private Running acquire() {
        synchronized (RUNNING) {
            if (held != null) {
                return held;
            }
            Running r = RUNNING.get(dataDir);
            if (r == null) {
                r = start();
                RUNNING.put(dataDir, r);
            }
            r.users++;
            held = r;
            return r;
        }
    }

    private Running start() {
        try {
            Files.createDirectories(dataDir);
            Path tokenFile = dataDir.resolve("token");
            if (!Files.exists(tokenFile)) {
                byte[] random = new byte[24];
                new SecureRandom().nextBytes(random);
                Files.writeString(tokenFile, HexFormat.of().formatHex(random));
                Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
            }
            String docker = environment.getOrDefault("DOCKER_HOST", AgentOptions.DEFAULT_DOCKER_HOST.toString());
            AgentOptions options = AgentOptions.of(new InetSocketAddress("127.0.0.1", 0), tokenFile,
                    dataDir.resolve("data")).withDockerHost(java.net.URI.create(docker));
            return new Running(AgentServer.start(options), Files.readString(tokenFile).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the local agent in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        synchronized (RUNNING) {
            if (held == null) {
                return;
            }
            if (--held.users == 0) {
                RUNNING.remove(dataDir);
                held.server.close();
            }
            held = null;
        }
    }
}
