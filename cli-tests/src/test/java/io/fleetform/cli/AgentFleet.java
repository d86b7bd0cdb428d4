package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetform.engine.testing.Loopback;
import io.fleetform.engine.testing.TestSubnets;
import io.fleetform.provider.host.agent.AgentOptions;
import io.fleetform.provider.host.agent.AgentServer;
import io.fleetform.provider.host.provider.NetworkNames;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A fleet of one test's own on the shared Docker Engine, run by an agent of its own on loopback
 * (outside the CLI runs, so a killed CLI process leaves it running): a unique fleet name, a /24
 * of {@code <first two octets>.<random>} for its containers, and the agent's token as the
 * secret {@code agent}. It sees and removes only the managed containers with an address in that
 * subnet, and the fleet's network on idc {@code local}.
 */
final class AgentFleet implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The fleet's name, e.g. {@code hp1a2b3}. */
    final String name;
    /** The first three octets of the fleet's /24, e.g. {@code 10.232.77}. */
    final String subnet;
    private final Map<String, String> env;
    private final AgentServer agent;

    private AgentFleet(String name, String subnet, Map<String, String> env, AgentServer agent) {
        this.name = name;
        this.subnet = subnet;
        this.env = env;
        this.agent = agent;
    }

    /** Builds the quickstart's busybox image, {@code fleetform/busybox:1}, unless it is there. */
    static void buildBusyboxImage() throws Exception {
        Process p = new ProcessBuilder("bash", "../scripts/quickstart-image.sh", "1").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
    }

    /** Starts the agent, its token and data under {@code dir/agent}. */
    static AgentFleet start(Path dir, String stem, String firstOctets, String token) throws Exception {
        Path agentDir = Files.createDirectory(dir.resolve("agent"));
        Files.writeString(agentDir.resolve("token"), token);
        // host ports of a range leased to this test, not the default one every agent on this engine starts at
        int first = Loopback.freePortRange(24000, 300, 10);
        Files.writeString(Files.createDirectories(agentDir.resolve("data")).resolve("port-range"),
                first + "-" + (first + 9) + "\n");
        AgentServer agent = AgentServer.start(AgentOptions.of(new InetSocketAddress("127.0.0.1", 0),
                agentDir.resolve("token"), agentDir.resolve("data")));
        String name = stem + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        // leased, not drawn at random: another test of this JVM or of a module built beside it may hold one of these
        String subnet = TestSubnets.prefix(firstOctets + ".0.0/16");
        return new AgentFleet(name, subnet, Map.of("FLEETFORM_SECRET_AGENT", token), agent);
    }

    int agentPort() {
        return agent.port();
    }

    /**
     * The start of this fleet's text: its {@code fleet} block, the busybox image as {@code image.toy},
     * the agent as {@code hosts "laptop"} and {@code idc "local"} handing out the fleet's subnet.
     */
    String header() {
        return """
                fleet "%s" { owner = "test" }
                image "toy" { name = "fleetform/busybox"  tag = "1" }
                hosts "laptop" {
                  agents = ["127.0.0.1:%d"]
                  token  = secret("agent")
                }
                idc "local" { region = "here"  target = hosts.laptop  ip_pool = "%s.0/24" }
                """.formatted(name, agentPort(), subnet);
    }

    /** The CLI, in this JVM, with the agent's token in its environment. */
    CliRunner.Result run(String... args) {
        return CliRunner.run(env, args);
    }

    Map<String, String> env() {
        return env;
    }

    /** This fleet's containers, running ones only or all. */
    List<JsonNode> containers(boolean alsoStopped) throws Exception {
        List<JsonNode> found = new ArrayList<>();
        for (String id : QuickstartDockerTest.docker("ps", alsoStopped ? "-aq" : "-q", "--filter",
                "label=io.fleetform.managed=true").strip().split("\\s+")) {
            if (id.isBlank()) {
                continue;
            }
            String text = QuickstartDockerTest.docker("inspect", id);
            if (text.contains("\"" + subnet + ".")) {
                found.add(JSON.readTree(text).get(0));
            }
        }
        return found;
    }

    /**
     * The command and state of the container of one instance, e.g. {@code zone.toy1.service.game[0]}:
     * {@code ["sh","-c","…"] running}; {@code (none)} when there is none.
     */
    String commandOf(String instance) throws Exception {
        for (JsonNode c : containers(true)) {
            if (c.at("/Config/Labels/io.fleetform.instance").asText().endsWith(instance)) {
                return c.at("/Config/Cmd").toString() + " " + c.at("/State/Status").asText();
            }
        }
        return "(none)";
    }

    /** Stops the agent, then removes what is left of this fleet's containers and its network. */
    @Override
    public void close() throws Exception {
        agent.close();
        for (JsonNode c : containers(true)) {
            QuickstartDockerTest.docker("rm", "-f", c.at("/Id").asText());
        }
        String stem = NetworkNames.beforeIdentities(name, "local"); // the fleet's name is unique, so is this stem
        for (String n : QuickstartDockerTest.docker("network", "ls", "--format", "{{.Name}}").split("\\s+")) {
            if (n.startsWith(stem)) {
                QuickstartDockerTest.docker("network", "rm", n);
            }
        }
    }
}
