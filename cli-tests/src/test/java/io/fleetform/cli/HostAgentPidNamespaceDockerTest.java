package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real agent ({@code fleetform agent}, its own process) run in a PID namespace of its own
 * ({@code unshare --pid --mount-proc}, as in a container without {@code --pid host}): its {@code /proc/1} is its own
 * namespace's init, so the host's sockets it reads there are not the host's. The plan says the ports were not checked
 * ({@code ports-unchecked}, naming the namespace and what to do) instead of finding no port in use. An agent in the
 * host's PID namespace says nothing of the kind ({@code HostPortsInUseDockerTest}).
 */
class HostAgentPidNamespaceDockerTest {
    @RegisterExtension
    final PoolFleets pool = PoolFleets.agentProcessUnder("unshare", "--pid", "--fork", "--mount-proc", "--kill-child");

    @Test
    void anAgentInAPidNamespaceOfItsOwnSaysThePortsAreUnchecked() throws Exception {
        Path dir = pool.fleet("pidns", PoolFleets.freePrefix(), "host", "ports = { game = 7000 }");

        CliRunner.Result plan = pool.ok("plan", dir.toString());

        String out = plan.out() + plan.err();
        assertThat(out).contains("warning: host 127.0.0.1:" + pool.client.baseUri().getPort())
                .contains("the agent runs in a PID namespace of its own").contains("/proc/1/net")
                .contains("--pid host").doesNotContain("Exception");
    }
}
