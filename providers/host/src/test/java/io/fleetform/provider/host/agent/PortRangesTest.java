package io.fleetform.provider.host.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.testing.Loopback;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The agent's host port range against the kernel's: the facts say which of its ports the kernel may hand to an
 * outgoing connection (from a fixture's {@code ip_local_port_range} and {@code ip_local_reserved_ports}, and from
 * this machine's), and the free ports it offers leave out those a process listens on now.
 */
class PortRangesTest extends DockerTestBase {
    private static void kernel(TestAgent a, String ephemeral, String reserved) throws Exception {
        Path sys = Files.createDirectories(a.root.resolve("proc/sys/net/ipv4"));
        Files.writeString(sys.resolve("ip_local_port_range"), ephemeral + "\n");
        Files.writeString(sys.resolve("ip_local_reserved_ports"), reserved + "\n");
    }

    @Test
    void factsSayWhichOfTheAgentsPortsAreAlsoEphemeral() throws Exception {
        TestAgent a = agent("ports-a");
        kernel(a, "32768\t60999", "");
        assertThat(a.client().facts().ports()).as("the default range is below the kernel's")
                .isEqualTo(new HostFacts.PortFacts("30000-32767", "32768-60999", "", null));

        Files.writeString(a.dataDir.resolve(AgentService.PORT_RANGE_FILE), "30000-40000\n");
        assertThat(a.client().facts().ports().exposed()).isEqualTo("32768-40000");
        kernel(a, "32768\t60999", "32768-35000,39000");
        HostFacts.PortFacts f = a.client().facts().ports();
        assertThat(f.reserved()).isEqualTo("32768-35000,39000");
        assertThat(f.exposed()).as("reserved ports are never ephemeral").isEqualTo("35001-38999,39001-40000");
        kernel(a, "32768\t60999", "32768-40000");
        assertThat(a.client().facts().ports().exposed()).isNull();

        Files.writeString(a.dataDir.resolve(AgentService.PORT_RANGE_FILE), "nonsense\n");
        assertThat(a.client().facts().ports().range()).as("a bad file: said by claims, facts still answer").isNull();
    }

    @Test
    void theKernelsOwnRangeIsRead() {
        // /proc's files report a size that Files.readString trusts: the real file must be read whole
        assertThat(PortRanges.ephemeral(Path.of("/"))).hasSizeGreaterThan(1000);
    }

    @Test
    void aPortAProcessListensOnIsNotOffered() throws Exception {
        TestAgent a = agent("ports-b");
        int first = Loopback.freePortRange(12000, 400, 3);
        Files.writeString(a.dataDir.resolve(AgentService.PORT_RANGE_FILE), first + "-" + (first + 2) + "\n");
        assertThat(a.client().allocations().free().ports()).isEqualTo(first + "-" + (first + 2));
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", first + 1));
            assertThat(PortRanges.listening()).contains(first + 1);
            assertThat(a.client().allocations().free().ports()).isEqualTo(first + "," + (first + 2));
        }
        assertThat(a.client().allocations().free().ports()).isEqualTo(first + "-" + (first + 2));
    }
}
