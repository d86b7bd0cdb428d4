package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.testing.Loopback;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Host ports that something outside the agent's ledger holds: a container of another owner publishing one (plain
 * {@code docker run -p}) and a process listening on another in the host's network namespace. The plan places the
 * fleet's instance on neither and says why (a warning naming each port and its holder); apply publishes the port the
 * plan showed, and the next plan, with nothing new to place, says nothing more.
 */
class HostPortsInUseDockerTest {
    @RegisterExtension
    final PoolFleets pool = new PoolFleets();

    @Test
    void thePlanStepsOverPortsHeldOutsideTheAgentAndSaysWhy() throws Exception {
        int first = Loopback.freePortRange(12000, 400, 3);
        pool.portRange(first + "-" + (first + 2));
        String name = "fftest-piu-" + pool.suffix;
        pool.foreignContainer("--name", name, "-p", "127.0.0.1:" + first + ":80", "fleetform/busybox:1", "sleep",
                "600");
        Path dir = pool.fleet("piu", PoolFleets.freePrefix(), "host", "ports = { game = 7000 }");
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress("127.0.0.1", first + 1));

            CliRunner.Result plan = pool.ok("plan", dir.toString());
            String out = plan.out() + plan.err();
            assertThat(out).contains((first + 2) + ":7000").doesNotContain(first + ":7000")
                    .doesNotContain((first + 1) + ":7000")
                    .contains("warning")
                    .contains(first + " (published by container " + name + ")")
                    .contains((first + 1) + " (a socket in the host's network namespace)")
                    .contains("are in use outside its agent's ledger, so no instance is placed on them")
                    .doesNotContain("cannot be read")
                    .doesNotContain("PID namespace of its own")
                    .doesNotContain("Exception");

            pool.ok("apply", dir.toString(), "--auto-approve");
            assertThat(PoolFleets.containers(dir)).hasSize(1);
            assertThat(QuickstartDockerTest.docker("port", PoolFleets.containers(dir).get(0)))
                    .contains(":" + (first + 2));
            CliRunner.Result again = pool.ok("plan", dir.toString());
            assertThat(again.out() + again.err()).doesNotContain("in use outside");
        }
    }
}
