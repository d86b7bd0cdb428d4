package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetform.provider.host.agent.AgentOptions;
import io.fleetform.provider.host.agent.AgentServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host provider end to end on this machine's real Docker Engine: examples/quickstart
 * applied through the CLI and read back with {@code docker inspect}.
 */
class QuickstartDockerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @BeforeAll
    static void images() throws Exception {
        String info = docker("info", "--format", "{{.ServerVersion}}");
        assertThat(info).as("a running Docker Engine (see .ci/run)").isNotBlank();
        for (String tag : List.of("1", "2")) {
            Process p = new ProcessBuilder("bash", "../scripts/quickstart-image.sh", tag).redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(out).isZero();
        }
    }

    private DockerFleet fleet;

    @org.junit.jupiter.api.BeforeEach
    void ownFleet() throws Exception {
        fleet = DockerFleet.in(dir, "quickstart");
    }

    @AfterEach
    void cleanUp() throws Exception {
        CliRunner.run("destroy", dir.toString(), "--auto-approve");
        fleet.removeAll();
    }

    /**
     * The identity this test's fleet labels its containers with (name + state lineage), or null before
     * its state exists. Tests look only at their own containers: the Docker Engine is shared.
     */
    static String fleetId(Path dir) throws IOException {
        Path state = dir.resolve(".fleetform/state.json");
        if (!Files.exists(state)) {
            return null;
        }
        String lineage = JSON.readTree(state.toFile()).get("lineage").asText();
        return new io.fleetform.engine.provider.FleetIdentity("quickstart", lineage).id();
    }

    /** A fleet's containers (by their identity label), then the networks no container uses any more. */
    static void removeFleet(String fleetId) throws Exception {
        for (String id : docker("ps", "-aq", "--filter", "label=io.fleetform.fleet=" + fleetId).strip()
                .split("\\s+")) {
            if (!id.isBlank()) {
                docker("rm", "-f", id);
            }
        }
        String name = fleetId.substring(0, fleetId.lastIndexOf('.'));
        for (String network : docker("network", "ls", "--format", "{{.Name}}", "--filter",
                "label=io.fleetform.managed=true").strip().split("\\s+")) {
            if (network.startsWith("ff-" + name + "-")) {
                docker("network", "rm", network); // refused while another run's containers use it
            }
        }
    }

    /** The quickstart as this test's own fleet (own name, free subnet): the Docker Engine is shared. */
    private String fleet() throws IOException {
        return fleet.quickstart();
    }

    private void write(String text) throws IOException {
        fleet.write(text);
    }

    private List<String> containers() throws Exception {
        return fleet.containers();
    }

    private JsonNode inspect(String address) throws Exception {
        return fleet.inspect(address);
    }

    @Test
    void quickstartAppliesResizesInPlaceReimagesKeepingIpAndDataAndRemovesAZone() throws Exception {
        write(fleet());
        CliRunner.Result apply = CliRunner.run("apply", dir.toString(), "--auto-approve");
        assertThat(apply.exitCode()).as(apply.out() + apply.err()).isEqualTo(ExitCode.OK);
        assertThat(apply.out()).contains("Apply complete! Resources: 2 added");
        JsonNode toy1 = inspect("zone.toy1.service.game[0]");
        assertThat(toy1.at("/HostConfig/Memory").asLong()).isEqualTo(64L << 20);
        assertThat(toy1.at("/HostConfig/NanoCpus").asLong()).isEqualTo(250_000_000L);
        assertThat(toy1.at("/NetworkSettings/Networks/" + fleet.network("local") + "/IPAMConfig/IPv4Address").asText())
                .isEqualTo(fleet.prefix + ".2");
        assertThat(inspect("zone.toy2.service.game[0]").at("/NetworkSettings/Networks/" + fleet.network("local") + "/IPAMConfig/IPv4Address")
                .asText()).isEqualTo(fleet.prefix + ".3");
        assertThat(toy1.at("/State/Running").asBoolean()).isTrue();
        String id = toy1.at("/Id").asText();
        docker("exec", id, "sh", "-c", "echo saved-by-toy1 > /data/progress");

        write(fleet().replace("memory  = 64Mi", "memory  = 96Mi"));
        CliRunner.Result resize = CliRunner.run("apply", dir.toString(), "--auto-approve");
        assertThat(resize.out()).as(resize.out() + resize.err()).contains("Resources: 0 added, 2 changed");
        JsonNode resized = inspect("zone.toy1.service.game[0]");
        assertThat(resized.at("/Id").asText()).as("same container, changed in place:\n" + resize.out() + resize.err())
                .isEqualTo(id);
        assertThat(resized.at("/HostConfig/Memory").asLong()).isEqualTo(96L << 20);

        write(fleet().replace("memory  = 64Mi", "memory  = 96Mi").replace("tag  = \"1\"", "tag  = \"2\""));
        CliRunner.Result reimage = CliRunner.run("apply", dir.toString(), "--auto-approve");
        assertThat(reimage.exitCode()).as(reimage.out() + reimage.err()).isEqualTo(ExitCode.OK);
        JsonNode reimaged = inspect("zone.toy1.service.game[0]");
        assertThat(reimaged.at("/Config/Image").asText()).isEqualTo("fleetform/busybox:2");
        assertThat(reimaged.at("/Id").asText()).as("a new container for the new image").isNotEqualTo(id);
        assertThat(reimaged.at("/NetworkSettings/Networks/" + fleet.network("local") + "/IPAMConfig/IPv4Address").asText())
                .isEqualTo(fleet.prefix + ".2");
        assertThat(docker("exec", reimaged.at("/Id").asText(), "cat", "/data/progress")).contains("saved-by-toy1");

        CliRunner.Result shrink = CliRunner.run("apply", dir.toString(), "--auto-approve", "-var", "zones=1");
        assertThat(shrink.out()).contains("1 destroyed");
        assertThat(containers()).hasSize(1);
        assertThat(inspect("zone.toy1.service.game[0]").at("/Id").asText()).isEqualTo(reimaged.at("/Id").asText());
        assertThat(CliRunner.run("plan", dir.toString(), "-var", "zones=1", "--detailed-exitcode").exitCode())
                .isEqualTo(ExitCode.OK);
    }

    @Test
    void anAgentRestartedBetweenAppliesKeepsItsLedgerAndApplyConverges() throws Exception {
        Path agentDir = Files.createDirectory(dir.resolve("agent"));
        Path token = agentDir.resolve("token");
        Files.writeString(token, "a-long-enough-test-token-0123456789");
        AgentOptions options = AgentOptions.of(new InetSocketAddress("127.0.0.1", 0), token, agentDir.resolve("data"));
        AgentServer agent = AgentServer.start(options);
        int port = agent.port();
        String remote = fleet().replaceAll("hosts \"laptop\" \\{[^}]*\\}", "hosts \"laptop\" {\n  agents = [\"127.0.0.1:"
                        + port + "\"]\n  token  = secret(\"agent\")\n}")
                .replace("idc \"local\"", "idc \"remote\"")
                .replace("idc.local", "idc.remote");
        assertThat(remote).contains("127.0.0.1:" + port);
        write(remote);
        Map<String, String> env = Map.of("FLEETFORM_SECRET_AGENT", "a-long-enough-test-token-0123456789");
        CliRunner.Result first = CliRunner.run(env, "apply", dir.toString(), "--auto-approve", "--target", "zone.toy1");
        assertThat(first.exitCode()).as(first.out() + first.err()).isEqualTo(ExitCode.OK);
        String toy1 = inspect("zone.toy1.service.game[0]").at("/Id").asText();
        agent.close();
        CliRunner.Result down = CliRunner.run(env, "plan", dir.toString());
        assertThat(down.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(down.err()).contains("cannot read the hosts of \"laptop\"").contains("127.0.0.1:" + port);
        AgentServer again = AgentServer.start(options.withListen(new InetSocketAddress("127.0.0.1", port)));
        try {
            CliRunner.Result resumed = CliRunner.run(env, "apply", dir.toString(), "--auto-approve");
            assertThat(resumed.exitCode()).as(resumed.out() + resumed.err()).isEqualTo(ExitCode.OK);
            assertThat(resumed.out()).contains("Resources: 1 added, 0 changed, 0 replaced, 0 destroyed.");
            assertThat(containers()).hasSize(2);
            assertThat(inspect("zone.toy1.service.game[0]").at("/Id").asText()).as("untouched").isEqualTo(toy1);
            assertThat(CliRunner.run(env, "plan", dir.toString(), "--detailed-exitcode").exitCode())
                    .isEqualTo(ExitCode.OK);
            CliRunner.Result destroyed = CliRunner.run(env, "destroy", dir.toString(), "--auto-approve");
            assertThat(destroyed.out()).contains("2 destroyed");
            assertThat(containers()).isEmpty();
        } finally {
            again.close();
        }
    }

    @Test
    void pinnedCoresAreNumaLocalAndAnInstanceCanBeImported() throws Exception {
        write(fleet().replace("cpu     = 250m", "cpu     = 1 core pinned").replace("from 1 to var.zones",
                "from 1 to 1"));
        CliRunner.Result apply = CliRunner.run("apply", dir.toString(), "--auto-approve");
        assertThat(apply.exitCode()).as(apply.out() + apply.err()).isEqualTo(ExitCode.OK);
        assertThat(apply.out()).contains("numa_node: 0").contains("cores: \"0\"");
        JsonNode pinned = inspect("zone.toy1.service.game[0]");
        assertThat(pinned.at("/HostConfig/CpusetCpus").asText()).isEqualTo("0");
        assertThat(pinned.at("/HostConfig/CpusetMems").asText()).isEqualTo("0");
        assertThat(pinned.at("/HostConfig/NanoCpus").asLong()).isZero();

        assertThat(CliRunner.run("state", "rm", "--dir", dir.toString(), "zone.toy1.service.game[0]").exitCode())
                .isEqualTo(ExitCode.OK);
        CliRunner.Result imported = CliRunner.run("import", "zone.toy1.service.game[0]", "zone.toy1.service.game[0]",
                dir.toString());
        assertThat(imported.exitCode()).as(imported.out() + imported.err()).isEqualTo(ExitCode.OK);
        CliRunner.Result state = CliRunner.run("state", "show", "--dir", dir.toString(), "zone.toy1.service.game[0]");
        assertThat(state.out()).contains("cores = \"0\"").contains("ip = \"" + fleet.prefix + ".2\"").doesNotContain("env =");
        CliRunner.Result plan = CliRunner.run("plan", dir.toString());
        assertThat(plan.out()).as("the environment comes back from the configuration").contains("1 to change")
                .contains("env");
        assertThat(CliRunner.run("apply", dir.toString(), "--auto-approve").exitCode()).isEqualTo(ExitCode.OK);
        assertThat(CliRunner.run("plan", dir.toString(), "--detailed-exitcode").exitCode()).isEqualTo(ExitCode.OK);
    }

    @Test
    void anApplyWaitsForAnAgentRestartedUnderItAndFinishes() throws Exception {
        Path agentDir = Files.createDirectory(dir.resolve("agent"));
        Path token = agentDir.resolve("token");
        Files.writeString(token, "another-long-enough-test-token-987");
        AgentOptions options = AgentOptions.of(new InetSocketAddress("127.0.0.1", 0), token, agentDir.resolve("data"));
        AgentServer agent = AgentServer.start(options);
        int port = agent.port();
        write(fleet().replaceAll("hosts \"laptop\" \\{[^}]*\\}", "hosts \"laptop\" {\n  agents = [\"127.0.0.1:" + port
                        + "\"]\n  token  = secret(\"agent\")\n}")
                .replace("idc \"local\"", "idc \"restart\"").replace("idc.local", "idc.restart")
                .replace("memory  = 64Mi", "memory  = 64Mi\n    replicas = 10"));
        Map<String, String> env = Map.of("FLEETFORM_SECRET_AGENT", "another-long-enough-test-token-987");
        java.util.concurrent.atomic.AtomicBoolean applying = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicBoolean closedWhileApplying = new java.util.concurrent.atomic.AtomicBoolean();
        AgentServer[] current = {agent};
        Thread restarter = new Thread(() -> {
            try {
                while (containers().isEmpty()) { // then 19 of the 20 are still to make, one at a time
                    Thread.sleep(20);
                }
                current[0].close();
                    closedWhileApplying.set(applying.get());
                Thread.sleep(10_000); // longer than a read's retries and the engine's 3 tries of a change (~7 s)
                current[0] = AgentServer.start(options.withListen(new InetSocketAddress("127.0.0.1", port)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        restarter.start();
        CliRunner.Result apply;
        try {
            apply = CliRunner.run(env, "apply", dir.toString(), "--auto-approve", "--parallelism", "1");
        } finally {
            applying.set(false);
            restarter.join(60_000);
        }
        try {
            // The agent went away mid-apply for 10 s: the change under way waits for it (up to 30 s), is not
            // started over, and the apply finishes
            assertThat(closedWhileApplying.get()).as("the agent stopped while the apply ran").isTrue();
            assertThat(apply.exitCode()).as(apply.out() + apply.err()).isEqualTo(ExitCode.OK);
            assertThat(apply.out()).doesNotContain("retrying (attempt");
            assertThat(apply.out()).contains("Resources: 20 added");
            assertThat(containers()).hasSize(20);
            assertThat(CliRunner.run(env, "plan", dir.toString(), "--detailed-exitcode").exitCode())
                    .isEqualTo(ExitCode.OK);
            assertThat(CliRunner.run(env, "destroy", dir.toString(), "--auto-approve").out()).contains("20 destroyed");
        } finally {
            current[0].close();
        }
    }

    static String docker(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

}
