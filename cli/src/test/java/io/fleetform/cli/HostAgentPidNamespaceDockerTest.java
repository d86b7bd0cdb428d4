package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.testing.Loopback;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real agent ({@code fleetform agent}, its own process) run in a PID namespace of its own
 * ({@code unshare --pid --mount-proc}, as in a container without {@code --pid host}): its {@code /proc/1} is its own
 * namespace's init, so the host's sockets it reads there are not the host's. The plan says the ports were not checked
 * ({@code ports-unchecked}, naming the namespace and what to do) instead of finding no port in use. An agent in the
 * host's PID namespace says nothing of the kind ({@code HostPortsInUseDockerTest}).
 */
class HostAgentPidNamespaceDockerTest {
    private static final String TOKEN = "pidns-agent-token-0123456789abcdef";

    @TempDir
    Path tmp;
    private Process agent;

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            // unshare ignores SIGTERM while it waits: the agent (its namespace's pid 1) is stopped itself
            agent.descendants().forEach(ProcessHandle::destroy);
            if (!agent.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                agent.descendants().forEach(ProcessHandle::destroyForcibly);
                agent.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void anAgentInAPidNamespaceOfItsOwnSaysThePortsAreUnchecked() throws Exception {
        QuickstartDockerTest.images();
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(tmp.resolve("token"), TOKEN);
        int first = Loopback.freePortRange(12000, 400, 2);
        Files.writeString(data.resolve("port-range"), first + "-" + (first + 1) + "\n");
        int port = Loopback.freePort();
        List<String> command = new ArrayList<>(List.of("unshare", "--pid", "--fork", "--mount-proc", "--kill-child",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), "io.fleetform.cli.Main", "agent", "--listen",
                "127.0.0.1:" + port, "--token-file", tmp.resolve("token").toString(), "--data-dir", data.toString()));
        agent = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(tmp.resolve("agent.log").toFile())
                .start();
        awaitListening(port);

        String name = "pidns-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.writeString(dir.resolve("main.fleet"), """
                fleet "%s" { owner = "ops" }
                image "toy" {
                  name = "fleetform/busybox"
                  tag  = "1"
                }
                hosts "pool" {
                  agents   = ["127.0.0.1:%d"]
                  token    = secret("agent")
                  provider = "host"
                }
                idc "dc" {
                  region  = "here"
                  target  = hosts.pool
                  ip_pool = "%s.0/24"
                }
                zone "s1" {
                  idc = idc.dc
                  service "db" {
                    image   = image.toy
                    cpu     = 100m
                    memory  = 32Mi
                    command = ["sleep", "600"]
                    ports   = { game = 7000 }
                  }
                }
                """.formatted(name, port, PoolFleets.freePrefix()));

        CliRunner.Result plan = CliRunner.run(Map.of("FLEETFORM_SECRET_AGENT", TOKEN), "plan", dir.toString());

        String out = plan.out() + plan.err();
        assertThat(plan.exitCode()).as(out + Files.readString(tmp.resolve("agent.log"))).isEqualTo(ExitCode.OK);
        assertThat(out).contains("warning: host 127.0.0.1:" + port).contains("the agent runs in a PID namespace of its own")
                .contains("/proc/1/net").contains("--pid host").doesNotContain("Exception");
    }

    private void awaitListening(int port) throws Exception {
        for (int i = 0; i < 300; i++) {
            assertThat(agent.isAlive()).as(Files.readString(tmp.resolve("agent.log"))).isTrue();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (java.io.IOException e) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the agent did not listen: " + Files.readString(tmp.resolve("agent.log")));
    }
}
