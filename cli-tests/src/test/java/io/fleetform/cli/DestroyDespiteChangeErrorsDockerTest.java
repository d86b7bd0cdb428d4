package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetform.engine.provider.FleetIdentity;
import io.fleetform.engine.testing.Loopback;
import io.fleetform.engine.testing.TestSubnets;
import io.fleetform.provider.host.agent.AgentClient;
import io.fleetform.provider.host.agent.AgentOptions;
import io.fleetform.provider.host.agent.AgentServer;
import io.fleetform.provider.host.agent.Allocation;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet whose configuration no longer fits the live infrastructure (its service asks for less memory than a
 * container can have, its ip_pool now overlaps another fleet's Docker network, its image's registry does not answer)
 * can still be torn down, on this machine's real Docker Engine and a real agent: those problems concern only making
 * and changing its instances, so a normal plan still refuses them, but {@code plan --destroy} and {@code destroy} go
 * on (naming them as warnings), and the destroy really removes the fleet's container while another fleet's container
 * on the same agent keeps running; a saved destroy plan applies past them as well.
 */
class DestroyDespiteChangeErrorsDockerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "destroyok-test-token-0123456789abcdef";

    @TempDir
    Path tmp;
    private AgentServer agent;
    private AgentClient client;
    private final List<Path> fleets = new ArrayList<>();
    private final String suffix = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);

    @BeforeAll
    static void images() throws Exception {
        QuickstartDockerTest.images();
    }

    @BeforeEach
    void startAgent() throws Exception {
        Path agentDir = Files.createDirectories(tmp.resolve("agent"));
        Path token = agentDir.resolve("token");
        Files.writeString(token, TOKEN);
        agent = AgentServer.start(AgentOptions.of(new InetSocketAddress("127.0.0.1", 0), token,
                agentDir.resolve("data")));
        client = AgentClient.builder(agent.baseUri(), TOKEN).name("pool").build();
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Path dir : fleets) {
            String id = fleetId(dir);
            if (id != null) {
                QuickstartDockerTest.removeFleet(id);
            }
        }
        agent.close();
    }

    private static Map<String, String> env() {
        return Map.of("FLEETFORM_SECRET_AGENT", TOKEN);
    }

    /** One zone, one service on the test's agent; {@code image} and {@code memory} as given. */
    private Path fleet(String name, String subnet, String memory, String image) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        if (!fleets.contains(dir)) {
            fleets.add(dir);
        }
        Files.writeString(dir.resolve("main.fleet"), """
                fleet "%s" { owner = "ops" }
                %s
                hosts "pool" {
                  agents = ["127.0.0.1:%d"]
                  token  = secret("agent")
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
                    memory  = %s
                    command = ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
                  }
                }
                """.formatted(name, image, agent.port(), subnet, memory));
        return dir;
    }

    private static final String LOCAL_IMAGE = """
            image "toy" {
              name = "fleetform/busybox"
              tag  = "1"
            }
            """;

    private static String fleetId(Path dir) throws IOException {
        Path state = dir.resolve(".fleetform/state.json");
        if (!Files.exists(state)) {
            return null;
        }
        return new FleetIdentity(dir.getFileName().toString(), JSON.readTree(state.toFile()).get("lineage").asText())
                .id();
    }

    private static List<String> containers(Path dir) throws Exception {
        String id = fleetId(dir);
        String out = id == null ? "" : QuickstartDockerTest.docker("ps", "-aq", "--filter", "label=io.fleetform.fleet="
                + id).strip();
        return out.isEmpty() ? List.of() : List.of(out.split("\\s+"));
    }

    private static CliRunner.Result run(int exit, String... args) {
        CliRunner.Result r = CliRunner.run(env(), args);
        assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r.out() + r.err()).isEqualTo(exit);
        return r;
    }

    @Test
    void destroyGoesOnPastProblemsOfMakingWhileANormalPlanStillRefusesThem() throws Exception {
        String subnetA = TestSubnets.prefix("10.124.0.0/16");
        Path a = fleet("dok-a-" + suffix, subnetA, "32Mi", LOCAL_IMAGE);
        Path b = fleet("dok-b-" + suffix, TestSubnets.prefix("10.124.0.0/16"), "32Mi", LOCAL_IMAGE);
        run(ExitCode.OK, "apply", a.toString(), "--auto-approve");
        run(ExitCode.OK, "apply", b.toString(), "--auto-approve");
        String containerA = containers(a).get(0);
        assertThat(containers(b)).hasSize(1);

        // B's configuration now asks for a subnet fleet A's network holds, for an image from a registry nothing
        // answers at (so neither its tag resolves nor does the host have it), and for less memory than a container
        // can have: each is a plan error of making or changing B's instance.
        int deadPort = Loopback.freePort();
        fleet(b.getFileName().toString(), subnetA, "2Mi", """
                registry "gone" {
                  url = "http://127.0.0.1:%d"
                }
                image "toy" {
                  from = registry.gone
                  name = "fleetform/busybox"
                  tag  = "1"
                }
                """.formatted(deadPort));
        CliRunner.Result normal = run(ExitCode.ERROR, "plan", b.toString());
        assertThat(normal.err()).as("a normal plan keeps every refusal").contains("error")
                .contains("overlaps Docker network").contains("cannot be resolved").contains("which does not have it");

        CliRunner.Result plan = run(ExitCode.OK, "plan", "--destroy", b.toString());
        assertThat(plan.out()).contains("1 to destroy");
        assertThat(plan.err()).as("shown, as warnings").contains("warning").contains("overlaps Docker network")
                .contains("cannot be resolved").contains("a destroy makes nothing").doesNotContain("error:");

        String idB = fleetId(b);
        CliRunner.Result destroy = run(ExitCode.OK, "destroy", b.toString(), "--auto-approve");
        assertThat(destroy.out()).contains("1 destroyed");
        assertThat(containers(b)).as("the destroy plan's promise kept").isEmpty();
        assertThat(client.allocations().allocations()).extracting(Allocation::address)
                .noneMatch(k -> k.startsWith(idB + "/"))
                .contains(fleetId(a) + "/zone.s1.service.db[0]");
        assertThat(containers(a)).as("the other fleet's container untouched").containsExactly(containerA);
        assertThat(QuickstartDockerTest.docker("inspect", "-f", "{{.State.Running}}", containerA).strip())
                .isEqualTo("true");
        run(ExitCode.OK, "plan", a.toString(), "--detailed-exitcode");

        // A saved destroy plan applies past them too: fleet A now asks for less memory than a container can have.
        fleet(a.getFileName().toString(), subnetA, "2Mi", LOCAL_IMAGE);
        assertThat(run(ExitCode.ERROR, "plan", a.toString()).err()).contains("cannot run on hosts");
        Path saved = tmp.resolve("destroy-a.plan");
        assertThat(run(ExitCode.OK, "plan", "--destroy", a.toString(), "-out", saved.toString()).err())
                .contains("warning").contains("cannot run on hosts");
        assertThat(run(ExitCode.OK, "apply", "--plan", saved.toString(), a.toString()).out()).contains("1 destroyed");
        assertThat(containers(a)).isEmpty();
    }
}
