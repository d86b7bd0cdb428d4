package io.fleetform.cli.command;

import io.fleetform.cli.CliException;
import io.fleetform.cli.ExitCode;
import io.fleetform.cli.Terminal;
import io.fleetform.provider.host.agent.AgentOptions;
import io.fleetform.provider.host.agent.AgentServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fleetform agent}: the daemon on every host. Serves facts, the allocation ledger and
 * containers over HTTPS (or HTTP on a trusted network) to whoever holds the token.
 */
@Command(name = "agent", description = "Run the host agent (facts, allocations, containers through the local Docker Engine).")
final class AgentCommand implements Callable<Integer>, TerminalAware {
    @Option(names = "--listen", required = true, paramLabel = "ADDR:PORT", description = "Where to listen, e.g. 0.0.0.0:7700.")
    String listen;

    @Option(names = "--token-file", required = true, paramLabel = "FILE", description = "The bearer token clients must send.")
    Path tokenFile;

    @Option(names = "--tls-keystore", paramLabel = "FILE", description = "PKCS12 keystore: serve HTTPS.")
    Path keystore;

    @Option(names = "--tls-password-file", paramLabel = "FILE", description = "The keystore's password.")
    Path keystorePassword;

    @Option(names = "--root", defaultValue = "/", description = "Where /sys and /proc are read (default /).")
    Path root;

    @Option(names = "--docker", defaultValue = "unix:///var/run/docker.sock", description = "The Docker Engine.")
    URI docker;

    @Option(names = "--data-dir", defaultValue = "/var/lib/fleetform-agent", description = "Ledger and instance data.")
    Path dataDir;

    private Terminal terminal;

    @Override
    public void terminal(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        int colon = listen.lastIndexOf(':');
        if (colon <= 0) {
            throw new CliException(ExitCode.USAGE, "--listen takes ADDR:PORT, got \"" + listen + "\"");
        }
        InetSocketAddress address = new InetSocketAddress(listen.substring(0, colon),
                Integer.parseInt(listen.substring(colon + 1)));
        AgentOptions options = AgentOptions.of(address, tokenFile, dataDir).withRoot(root).withDockerHost(docker);
        if (keystore != null) {
            if (keystorePassword == null) {
                throw new CliException(ExitCode.USAGE, "--tls-keystore needs --tls-password-file");
            }
            options = options.withTls(keystore, java.nio.file.Files.readString(keystorePassword).strip());
        }
        AgentServer server;
        try {
            server = AgentServer.start(options);
        } catch (IOException | RuntimeException e) {
            throw new CliException(ExitCode.ERROR, "the agent did not start: " + e.getMessage());
        }
        terminal.out().println("fleetform agent " + server.agentId() + " listening on " + server.baseUri());
        terminal.out().flush();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "fleetform-agent-stop"));
        server.awaitTermination();
        return ExitCode.OK;
    }
}
