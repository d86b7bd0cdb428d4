package io.fleetform.provider.host.agent;

import static io.fleetform.provider.host.agent.DockerSupport.IMAGE_1;
import static io.fleetform.provider.host.agent.DockerSupport.inspect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fleetform.engine.testing.Loopback;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Bridge mode with ports published on the host, and host mode in the host's network namespace, through the real
 * Docker Engine; each checked by a TCP connection on loopback answered by httpd inside the container.
 */
class NetworkModesTest extends DockerTestBase {
    /**
     * Starts a server command run in the background and waited for: PID 1 of a container ignores signals
     * it has no handler for, so httpd exec'd as PID 1 outlives SIGTERM and every stop waited out the
     * 10 s grace before SIGKILL; this shell exits on TERM at once.
     */
    static final String STOPPABLE = "trap exit TERM; ";

    static final String ADDR = "zone.s1.service.gs[0]";

    /** httpd answering {@code body} on {@code port} (or on $FLEETFORM_PORT_GAME when port is null). */
    private static List<String> httpd(String body, Integer port) {
        String p = port == null ? "$FLEETFORM_PORT_GAME" : port.toString();
        return List.of("sh", "-c", "mkdir -p /www && echo " + body + " > /www/index.html; " + STOPPABLE
                + "httpd -f -p " + p + " -h /www & wait");
    }

    /** A range of loopback ports nothing listens on now, made the agent's range for published ports. */
    private static int freePortRange(TestAgent a, int size) throws IOException {
        int first = Loopback.freePortRange(12000, 400, size);
        Files.writeString(a.dataDir.resolve(AgentService.PORT_RANGE_FILE), first + "-" + (first + size - 1) + "\n");
        return first;
    }

    /** GET / on 127.0.0.1:port, retried while the server starts; the body, or what went wrong. */
    private static String get(int port) throws InterruptedException {
        return Loopback.httpGet(port, 100);
    }

    private static AllocationRequest claim(String ip, List<Integer> ports) {
        return new AllocationRequest(null, "", 64 * MIB, ip, 0, null, ports);
    }

    @Test
    void bridgeModePublishesTheLedgersHostPortOnTheHost() throws Exception {
        TestAgent a = agent("host-a");
        int port = freePortRange(a, 4);
        NetworkSpec bridge = bridge(10);
        NetworkSpec net = new NetworkSpec(bridge.name(), "bridge", bridge.subnet(), null, null, bridge.ipv4(),
                List.of(new NetworkSpec.PublishedPort("game", 8080, port)));
        a.client().claim(ADDR, claim(net.ipv4(), List.of(port)));
        ContainerResult r = a.client().putContainer(ADDR, ContainerSpec.shared(IMAGE_1, 0, 64 * MIB, net)
                .withCommand(httpd("bridged", 8080)).withStopTimeoutSeconds(1));

        assertThat(get(port)).isEqualTo("bridged");
        assertThat(inspect(r.container().id(), "{{(index (index .HostConfig.PortBindings \"8080/tcp\") 0).HostPort}} "
                + "{{(index (index .HostConfig.PortBindings \"8080/udp\") 0).HostPort}}"))
                .isEqualTo(port + " " + port);
        // the spec reads back with its ports, so the next put changes nothing
        assertThat(a.client().putContainer(ADDR, ContainerSpec.shared(IMAGE_1, 0, 64 * MIB, net)
                .withCommand(httpd("bridged", 8080)).withStopTimeoutSeconds(1)).action())
                .isEqualTo(ContainerResult.Action.UNCHANGED);

        // a second instance cannot claim the port, nor publish one its allocation does not hold
        AgentException taken = catchThrowableOfType(AgentException.class, () -> a.client().claim("zone.s1.service.gs[1]",
                claim(DockerTestBase.sameNetwork(bridge, 11).ipv4(), List.of(port))));
        assertThat(taken.getMessage()).contains("host ports " + port + " are held by " + ADDR);
        a.client().claim("zone.s1.service.gs[1]", claim(DockerTestBase.sameNetwork(bridge, 11).ipv4(),
                List.of(port + 1)));
        NetworkSpec other = new NetworkSpec(bridge.name(), "bridge", bridge.subnet(), null, null,
                DockerTestBase.sameNetwork(bridge, 11).ipv4(), List.of(new NetworkSpec.PublishedPort("game", 8080,
                port + 2)));
        AgentException unheld = catchThrowableOfType(AgentException.class, () -> a.client().putContainer(
                "zone.s1.service.gs[1]", ContainerSpec.shared(IMAGE_1, 0, 64 * MIB, other)
                        .withCommand(httpd("x", 8080))));
        assertThat(unheld.getMessage()).contains("host ports " + (port + 2) + " are not in the allocation (ports: "
                + (port + 1) + ")");
    }

    @Test
    void hostModeRunsInTheHostsNetworkNamespaceOnTheAllocatedPort() throws Exception {
        TestAgent a = agent("host-a");
        int port = freePortRange(a, 4);
        NetworkSpec net = NetworkSpec.host(List.of(new NetworkSpec.PublishedPort("game", port, port)));
        a.client().claim(ADDR, claim(null, List.of(port)));
        ContainerResult r = a.client().putContainer(ADDR, ContainerSpec.shared(IMAGE_1, 0, 64 * MIB, net)
                .withEnv(Map.of("FLEETFORM_PORT_GAME", String.valueOf(port))).withCommand(httpd("on-host", null))
                .withStopTimeoutSeconds(1));

        assertThat(inspect(r.container().id(), "{{.HostConfig.NetworkMode}}")).isEqualTo("host");
        assertThat(r.container().ipv4()).isNull();
        // nothing is published: the server itself listens on the host's loopback
        assertThat(get(port)).isEqualTo("on-host");
        assertThat(inspect(r.container().id(), "{{len .HostConfig.PortBindings}}")).isEqualTo("0");

        AgentException taken = catchThrowableOfType(AgentException.class, () -> a.client().claim("zone.s1.service.gs[1]",
                claim(null, List.of(port))));
        assertThat(taken.status()).isEqualTo(409);
        assertThat(taken.getMessage()).contains("host ports " + port + " are held by " + ADDR);

        // a port some process outside the ledger listens on is refused, not handed out to fail at start
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.bind(new InetSocketAddress("0.0.0.0", port + 3));
            AgentException busy = catchThrowableOfType(AgentException.class, () -> a.client().claim(
                    "zone.s1.service.gs[1]", claim(null, List.of(port + 3))));
            assertThat(busy.getMessage()).contains("host ports " + (port + 3) + " are in use on this host outside"
                    + " this agent's ledger");
        }

        a.client().removeContainer(ADDR, true);
        assertThat(DockerSupport.run("docker", "inspect", r.container().id()).exit()).isNotZero();
    }
}
