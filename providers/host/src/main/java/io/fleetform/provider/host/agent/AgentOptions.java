package io.fleetform.provider.host.agent;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How to run an agent.
 *
 * @param listen              address and port to listen on (port 0 picks a free one, see {@link AgentServer#port()})
 * @param tokenFile           file holding the bearer token callers must present (whitespace around it is ignored)
 * @param tlsKeystore         PKCS12 keystore with the server key and certificate; null serves plain HTTP
 * @param tlsKeystorePassword password of {@code tlsKeystore}
 * @param root                directory host facts are read under ({@code /} in production, a fixture tree in tests)
 * @param dockerHost          Docker Engine endpoint, e.g. {@code unix:///var/run/docker.sock}
 * @param dataDir             the agent's directory: ledger, agent id, instance data directories
 */
public record AgentOptions(InetSocketAddress listen, Path tokenFile, Path tlsKeystore, String tlsKeystorePassword,
                           Path root, URI dockerHost, Path dataDir) {
    public static final URI DEFAULT_DOCKER_HOST = URI.create("unix:///var/run/docker.sock");

    public AgentOptions {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(tokenFile, "tokenFile");
        Objects.requireNonNull(dataDir, "dataDir");
        root = root == null ? Path.of("/") : root;
        dockerHost = dockerHost == null ? DEFAULT_DOCKER_HOST : dockerHost;
        if (tlsKeystore != null && tlsKeystorePassword == null) {
            throw new IllegalArgumentException("tlsKeystorePassword is required with tlsKeystore");
        }
    }

    /** Plain HTTP, facts from {@code /}, the default Docker socket. */
    public static AgentOptions of(InetSocketAddress listen, Path tokenFile, Path dataDir) {
        return new AgentOptions(listen, tokenFile, null, null, null, null, dataDir);
    }

    public AgentOptions withTls(Path keystore, String password) {
        return new AgentOptions(listen, tokenFile, keystore, password, root, dockerHost, dataDir);
    }

    public AgentOptions withRoot(Path r) {
        return new AgentOptions(listen, tokenFile, tlsKeystore, tlsKeystorePassword, r, dockerHost, dataDir);
    }

    public AgentOptions withDockerHost(URI d) {
        return new AgentOptions(listen, tokenFile, tlsKeystore, tlsKeystorePassword, root, d, dataDir);
    }

    public AgentOptions withListen(InetSocketAddress l) {
        return new AgentOptions(l, tokenFile, tlsKeystore, tlsKeystorePassword, root, dockerHost, dataDir);
    }

    @Override
    public String toString() {
        return "AgentOptions[listen=" + listen + ", tokenFile=" + tokenFile + ", tlsKeystore=" + tlsKeystore
                + ", tlsKeystorePassword=" + (tlsKeystorePassword == null ? null : "***") + ", root=" + root
                + ", dockerHost=" + dockerHost + ", dataDir=" + dataDir + "]";
    }
}
