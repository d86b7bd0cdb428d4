package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An agent whose host port range reaches into this machine's ephemeral ports ({@code ip_local_port_range}): a port
 * claimed there can become the local end of any outgoing connection before the container publishing it starts, so
 * the plan of a fleet with host ports on it warns, naming the ports and how to keep the kernel off them.
 */
class HostPortRangeDockerTest {
    @RegisterExtension
    final PoolFleets pool = new PoolFleets();

    @Test
    void aRangeReachingTheKernelsEphemeralPortsIsAWarningOfThePlan() throws Exception {
        String[] kernel = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).strip()
                .split("\\s+");
        int ephemeral = Integer.parseInt(kernel[0]);
        Path dir = pool.fleet("pr-warn", PoolFleets.freePrefix(), "host", "ports = { game = 7000 }");

        CliRunner.Result below = pool.ok("plan", dir.toString());
        assertThat(below.out() + below.err()).as("the test's range is below the kernel's")
                .doesNotContain("ephemeral");

        pool.portRange((ephemeral - 100) + "-" + (ephemeral + 99));
        CliRunner.Result plan = pool.ok("plan", dir.toString());
        assertThat(plan.out() + plan.err()).contains("warning")
                .contains("hands out host ports " + (ephemeral - 100) + "-" + (ephemeral + 99))
                .contains(ephemeral + "-" + (ephemeral + 99) + " are also the kernel's ephemeral ports")
                .contains("net.ipv4.ip_local_reserved_ports=")
                .doesNotContain("Exception");
    }
}
