package io.fleetform.provider.host.provider;

import io.fleetform.provider.host.agent.AgentClient;
import io.fleetform.provider.host.agent.AgentOptions;
import io.fleetform.provider.host.agent.AgentServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * The agent of {@code hosts "x" { local = true }}: started in this process on a loopback port,
 * driving this machine's Docker Engine, its ledger under the fleet's {@code .fleetform/} folder.
 * So a newcomer needs nothing but a running dockerd. One per folder per process.
 */
final class LocalAgent {
    static final String HOST = "local";
    private static final Map<Path, AgentServer> RUNNING = new HashMap<>();
    private static final Map<Path, String> TOKENS = new HashMap<>();

    private LocalAgent() {
    }

    static synchronized AgentClient client(Path fleetDir, Map<String, String> environment) {
        Path dataDir = fleetDir.toAbsolutePath().normalize().resolve(".fleetform/local-agent");
        AgentServer server = RUNNING.get(dataDir);
        try {
            if (server == null) {
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
                server = AgentServer.start(options);
                RUNNING.put(dataDir, server);
                TOKENS.put(dataDir, Files.readString(tokenFile).strip());
                // No shutdown hook stops it: on Ctrl-C or SIGTERM the command finishes the changes in flight
                // through this agent before it exits, and the process's end closes its sockets and files.
            }
            return AgentClient.builder(server.baseUri(), TOKENS.get(dataDir)).name(HOST).build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the local agent in " + dataDir + ": " + e.getMessage(), e);
        }
    }
}
