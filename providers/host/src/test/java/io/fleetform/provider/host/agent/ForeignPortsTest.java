package io.fleetform.provider.host.agent;

import static io.fleetform.provider.host.agent.DockerSupport.IMAGE_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fleetform.engine.testing.Loopback;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * Host ports something outside the agent's ledger holds are neither offered nor claimable, and the agent says what
 * holds them: a port a foreign container publishes (another owner's, made here with plain {@code docker run}), and a
 * socket in the host's network namespace that the agent's own namespace does not show (the "host" here is a
 * foreign container's namespace, its {@code /proc/<pid>/net} linked in as the agent root's {@code proc/1/net}: an
 * agent running in a container of its own reads the host's sockets there), and a port a foreign container that is
 * not running binds when it starts. Without the host's sockets the agent says what it could not check.
 */
class ForeignPortsTest extends DockerTestBase {
    private static AllocationRequest port(int p) {
        return new AllocationRequest(null, "", 64 * MIB, null, 0, null, List.of(p));
    }

    private String foreign(String... args) {
        return docker("run", args);
    }

    /** A container of the test's own (not the agent's): {@code docker run -d} or {@code docker create}. */
    private String docker(String command, String... args) {
        String name = "fftest-fp-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
        trackContainer(name);
        List<String> argv = new java.util.ArrayList<>(command.equals("run") ? List.of("run", "-d", "--name", name)
                : List.of(command, "--name", name));
        argv.addAll(List.of(args));
        DockerSupport.docker(argv.toArray(String[]::new));
        return name;
    }

    @Test
    void portsAForeignContainerPublishesOrTheHostsNamespaceListensOnAreNotHandedOut() throws Exception {
        TestAgent a = agent("fports-a");
        int first = Loopback.freePortRange(12000, 400, 4);
        Files.writeString(a.dataDir.resolve(AgentService.PORT_RANGE_FILE), first + "-" + (first + 3) + "\n");

        String publisher = foreign("-p", "127.0.0.1:" + first + ":80", IMAGE_1, "sleep", "600");
        // made, not started: the Engine lists no port for it, but it takes this one when it starts
        String later = docker("create", "-p", "127.0.0.1:" + (first + 3) + ":80", IMAGE_1, "sleep", "600");
        // a process listening in another namespace, standing for the host's while the agent runs in its own
        String listener = foreign(IMAGE_1, "busybox", "nc", "-ll", "-p", String.valueOf(first + 2), "-e", "cat");
        String pid = DockerSupport.docker("inspect", "-f", "{{.State.Pid}}", listener).strip();
        Path hostNet = a.root.resolve(HostPorts.HOST_NET);
        Files.delete(hostNet);
        Files.createSymbolicLink(hostNet, Path.of("/proc", pid, "net"));
        for (int i = 0; i < 50 && !PortRanges.listening(hostNet).contains(first + 2); i++) {
            Thread.sleep(100);
        }
        assertThat(PortRanges.listening(Path.of("/proc/net"))).as("not in the agent's namespace")
                .doesNotContain(first + 2);

        LedgerView v = a.client().allocations();
        assertThat(v.free().ports()).isEqualTo(String.valueOf(first + 1));
        assertThat(v.portsInUse().unchecked()).isNull();
        assertThat(v.portsInUse().held()).containsExactly(
                new LedgerView.HeldPorts(String.valueOf(first), "published by container " + publisher),
                new LedgerView.HeldPorts(String.valueOf(first + 2), "a socket in the host's network namespace"),
                new LedgerView.HeldPorts(String.valueOf(first + 3), "bound by container " + later
                        + " when it starts (created now)"));

        AgentException refused = catchThrowableOfType(AgentException.class,
                () -> a.client().claim("zone.f.service.gs[0]", port(first)));
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.getMessage()).contains("host ports " + first).contains("published by container " + publisher);
        refused = catchThrowableOfType(AgentException.class, () -> a.client().claim("zone.f.service.gs[0]",
                port(first + 2)));
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.getMessage()).contains("host ports " + (first + 2))
                .contains("a socket in the host's network namespace");
        assertThat(a.client().claim("zone.f.service.gs[0]", port(first + 1)).status())
                .isEqualTo(ClaimResult.Status.CLAIMED);
    }

    @Test
    void anAgentThatCannotReadTheHostsSocketsSaysSo() throws Exception {
        TestAgent a = agent("fports-b");
        Files.delete(a.root.resolve(HostPorts.HOST_NET));
        LedgerView.PortsInUse u = a.client().allocations().portsInUse();
        assertThat(u.unchecked()).contains("the sockets of the host's network namespace cannot be read")
                .contains(a.root.resolve("proc/1/net/tcp").toString()).contains("--pid host");
    }

    /**
     * The agent's {@code /proc} of a PID namespace of its own: its pid 1 is a container's init, the sockets there are
     * that container's namespace's. They are still held, and the answer says the host's were not checked.
     */
    @Test
    void anAgentWhosePidOneIsNotTheHostsInitSaysThePortsAreUnchecked() throws Exception {
        TestAgent a = agent("fports-c");
        int first = Loopback.freePortRange(12000, 400, 2);
        Files.writeString(a.dataDir.resolve(AgentService.PORT_RANGE_FILE), first + "-" + (first + 1) + "\n");
        String init = foreign(IMAGE_1, "busybox", "nc", "-ll", "-p", String.valueOf(first), "-e", "cat");
        String pid = DockerSupport.docker("inspect", "-f", "{{.State.Pid}}", init).strip();
        for (String link : List.of("proc/1/net", "proc/1/ns", "proc/2")) {
            Files.delete(a.root.resolve(link));
        }
        Files.createSymbolicLink(a.root.resolve("proc/1/net"), Path.of("/proc", pid, "net"));
        Files.createSymbolicLink(a.root.resolve("proc/1/ns"), Path.of("/proc", pid, "ns"));
        for (int i = 0; i < 50 && !PortRanges.listening(a.root.resolve(HostPorts.HOST_NET)).contains(first); i++) {
            Thread.sleep(100);
        }

        LedgerView.PortsInUse u = a.client().allocations().portsInUse();

        assertThat(u.unchecked()).contains("the agent runs in a PID namespace of its own")
                .contains("its pid 1 is in pid:[").contains("--pid host");
        assertThat(u.held()).contains(new LedgerView.HeldPorts(String.valueOf(first),
                "a socket in the host's network namespace"));
        // without pid 1's namespace to read, the kernel threads tell: none here
        Files.delete(a.root.resolve("proc/1/ns"));
        assertThat(a.client().allocations().portsInUse().unchecked()).contains("PID namespace of its own")
                .contains("it has no pid 2");
    }
}
