package io.fleetform.cli;

import static io.fleetform.cli.DockerFleet.docker;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetform.engine.testing.Loopback;
import io.fleetform.provider.host.agent.AgentOptions;
import io.fleetform.provider.host.agent.AgentServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Host fleets as an operator drives them, through the CLI on the real Docker Engine with real
 * agents (the in-process one, and several on loopback standing for several hosts).
 */
class HostFleetDockerTest {
    private static final String TOY1 = "zone.toy1.service.game[0]";

    @TempDir
    Path dir;
    private DockerFleet fleet;
    private final List<AgentServer> agents = new ArrayList<>();
    private final List<String> foreignNetworks = new ArrayList<>();

    @BeforeAll
    static void images() throws Exception {
        QuickstartDockerTest.images();
    }

    @BeforeEach
    void ownFleet() throws Exception {
        fleet = DockerFleet.in(dir, "hosts");
    }

    @AfterEach
    void cleanUp() throws Exception {
        CliRunner.run(env(), "destroy", dir.toString(), "--auto-approve");
        for (AgentServer a : agents) {
            a.close();
        }
        fleet.removeAll();
        for (String n : foreignNetworks) {
            docker("network", "rm", n);
        }
    }

    private Map<String, String> env() {
        return Map.of("FLEETFORM_SECRET_AGENT", "a-long-enough-test-token-0123456789");
    }

    private CliRunner.Result cli(String... args) {
        return CliRunner.run(env(), args);
    }

    private CliRunner.Result ok(String... args) {
        CliRunner.Result r = cli(args);
        assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r.out() + r.err()).isEqualTo(ExitCode.OK);
        return r;
    }

    @Test
    void aSavedPlanAppliesExactlyAndMemoryGoesDownAndUpInPlace() throws Exception {
        String base = fleet.quickstart();
        fleet.write(base);
        ok("apply", dir.toString(), "--auto-approve");
        JsonNode before = fleet.inspect(TOY1);

        fleet.write(base.replace("memory  = 64Mi", "memory  = 32Mi"));
        Path plan = dir.resolve("down.plan");
        CliRunner.Result planned = ok("plan", dir.toString(), "-out", plan.toString());
        assertThat(planned.out()).contains("memory_bytes: 67108864 → 33554432")
                .contains("Apply exactly these changes with: fleetform apply --plan " + plan + " " + dir);
        CliRunner.Result down = ok("apply", "--plan", plan.toString(), dir.toString());
        assertThat(down.out()).contains("Resources: 0 added, 2 changed");
        JsonNode smaller = fleet.inspect(TOY1);
        assertThat(smaller.at("/HostConfig/Memory").asLong()).isEqualTo(32L << 20);
        assertThat(smaller.at("/Id").asText()).isEqualTo(before.at("/Id").asText());
        assertThat(smaller.at("/State/StartedAt").asText()).as("not restarted")
                .isEqualTo(before.at("/State/StartedAt").asText());

        fleet.write(base.replace("memory  = 64Mi", "memory  = 96Mi"));
        ok("apply", dir.toString(), "--auto-approve");
        JsonNode bigger = fleet.inspect(TOY1);
        assertThat(bigger.at("/HostConfig/Memory").asLong()).isEqualTo(96L << 20);
        assertThat(bigger.at("/Id").asText()).isEqualTo(before.at("/Id").asText());
        assertThat(bigger.at("/State/StartedAt").asText()).isEqualTo(before.at("/State/StartedAt").asText());
        assertThat(cli("plan", dir.toString(), "--detailed-exitcode").exitCode()).isEqualTo(ExitCode.OK);
    }

    @Test
    void aSavedPlanOfAMultiAgentFleetAppliesExactly() throws Exception {
        List<String> addresses = new ArrayList<>();
        // the three "hosts" are one machine: each agent gets host ports of its own, as real hosts would
        int ports = Loopback.freePortRange(20000, 400, 9);
        for (String host : List.of("a", "b", "c")) {
            Path agentDir = Files.createDirectories(dir.resolve("agent-" + host));
            Files.createDirectories(agentDir.resolve("data"));
            Files.writeString(agentDir.resolve("data/port-range"), ports + "-" + (ports + 2) + "\n");
            ports += 3;
            Path token = agentDir.resolve("token");
            Files.writeString(token, env().get("FLEETFORM_SECRET_AGENT"));
            AgentServer agent = AgentServer.start(AgentOptions.of(new InetSocketAddress("127.0.0.1", 0), token,
                    agentDir.resolve("data")));
            agents.add(agent);
            addresses.add("\"127.0.0.1:" + agent.port() + "\"");
        }
        String base = fleet.quickstart().replaceAll("hosts \"laptop\" \\{[^}]*\\}", "hosts \"laptop\" {\n  agents = ["
                + String.join(", ", addresses) + "]\n  token  = secret(\"agent\")\n}")
                .replace("memory  = 64Mi", "memory  = 64Mi\n    replicas = 3\n    spread   = host");
        fleet.write(base);
        Path first = dir.resolve("first.plan");
        ok("plan", dir.toString(), "-out", first.toString());
        CliRunner.Result applied = ok("apply", "--plan", first.toString(), dir.toString());
        assertThat(applied.out()).contains("Resources: 6 added");
        assertThat(fleet.containers()).hasSize(6);
        Set<String> hostsOfToy1 = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            hostsOfToy1.add(fleet.inspect("zone.toy1.service.game[" + i + "]").at("/Config/Labels/io.fleetform.agent")
                    .asText());
        }
        assertThat(hostsOfToy1).as("spread = host").hasSize(3);

        fleet.write(base.replace("memory  = 64Mi", "memory  = 48Mi"));
        Path second = dir.resolve("second.plan");
        ok("plan", dir.toString(), "-out", second.toString());
        assertThat(ok("apply", "--plan", second.toString(), dir.toString()).out()).contains("0 added, 6 changed");
        assertThat(cli("plan", dir.toString(), "--detailed-exitcode").exitCode()).isEqualTo(ExitCode.OK);
    }

    /** Stopped, crash-looping, OOM-killed and removed: each planned with its reason, then brought back. */
    @Test
    void instancesThatAreDownArePlannedWithTheirReasonAndBroughtBack() throws Exception {
        fleet.write(fleet.quickstart().replace("memory  = 64Mi", "memory  = 32Mi").replaceAll("command = \\[.*\\]",
                "command = [\"sh\", \"-c\", \"trap 'exit 0' TERM; while true; do if [ -f /data/crash ]; then exit 3; "
                        + "fi; if [ -f /data/oom ]; then exec busybox tail /dev/zero; fi; sleep 1; done\"]"));
        ok("apply", dir.toString(), "--auto-approve", "-var", "zones=4");
        Map<String, JsonNode> was = new java.util.HashMap<>();
        for (int z = 1; z <= 4; z++) {
            was.put("toy" + z, fleet.inspect("zone.toy" + z + ".service.game[0]"));
        }
        String stopped = was.get("toy1").at("/Id").asText();
        String looping = was.get("toy2").at("/Id").asText();
        String oom = was.get("toy3").at("/Id").asText();
        docker("stop", "-t", "1", stopped);
        docker("exec", looping, "busybox", "touch", "/data/crash"); // it exits 3 within a second, and again on every restart
        docker("update", "--restart=no", oom); // so that an OOM kill keeps it down
        docker("exec", oom, "busybox", "touch", "/data/oom");
        docker("rm", "-f", was.get("toy4").at("/Id").asText());
        waitFor(() -> docker("inspect", "-f", "{{.State.Status}} {{.State.OOMKilled}}", oom).strip()
                .equals("exited true"));
        waitFor(() -> Integer.parseInt(docker("inspect", "-f", "{{.RestartCount}}", looping).strip()) >= 2
                && docker("inspect", "-f", "{{.State.Restarting}}", looping).strip().equals("true"));

        CliRunner.Result plan = ok("plan", dir.toString(), "-var", "zones=4");
        assertThat(plan.out())
                .contains("zone.toy1.service.game[0] (host_instance) will be started again (it is stopped (exited "
                        + "with code 0))")
                .containsPattern("zone.toy2.service.game\\[0] \\(host_instance\\) will be recreated \\(restart, keeps IP, "
                        + "cores and data\\); it is crash-looping: restarted [0-9]+ times, (last exited with code 3|up for less)")
                .contains("zone.toy3.service.game[0] (host_instance) will be started again (it is exited with code "
                        + "137 (OOM-killed))")
                .contains("zone.toy4.service.game[0] (host_instance) will be created again (its container was "
                        + "removed outside Fleetform; keeps IP, cores and data)");

        for (String id : List.of(looping, oom)) { // the operator fixes the causes
            String data = docker("inspect", "-f", "{{range .Mounts}}{{if eq .Destination \"/data\"}}{{.Source}}"
                    + "{{end}}{{end}}", id).strip();
            Files.deleteIfExists(Path.of(data, "crash"));
            Files.deleteIfExists(Path.of(data, "oom"));
        }
        ok("apply", dir.toString(), "--auto-approve", "-var", "zones=4");
        for (int z = 1; z <= 4; z++) {
            JsonNode now = fleet.inspect("zone.toy" + z + ".service.game[0]");
            assertThat(now.at("/State/Running").asBoolean()).as("toy" + z).isTrue();
            assertThat(now.at("/State/Restarting").asBoolean()).as("toy" + z).isFalse();
            assertThat(now.at("/NetworkSettings/Networks/" + fleet.network("local") + "/IPAMConfig/IPv4Address")
                    .asText()).isEqualTo(fleet.prefix + "." + (z + 1));
            assertThat(now.at("/HostConfig/RestartPolicy/Name").asText()).isEqualTo("unless-stopped");
        }
        assertThat(fleet.inspect(TOY1).at("/Id").asText()).as("started in place").isEqualTo(stopped);
        assertThat(fleet.inspect("zone.toy3.service.game[0]").at("/Id").asText()).isEqualTo(oom);
        assertThat(cli("plan", dir.toString(), "-var", "zones=4", "--detailed-exitcode").exitCode())
                .isEqualTo(ExitCode.OK);
    }

    @Test
    void anImageChangeIsPlannedAsARecreateAndIgnoreChangesWorksForEveryKindOfAttribute() throws Exception {
        String base = fleet.quickstart().replace("from 1 to var.zones", "from 1 to 1")
                .replace("memory  = 64Mi", "memory  = 64Mi\n    env     = { MODE = \"a\" }");
        String ignoring = base.replace("ports   =", "lifecycle { ignore_changes = [\"memory\", \"env\", \"command\"] }"
                + "\n    ports   =");
        fleet.write(ignoring);
        ok("apply", dir.toString(), "--auto-approve");
        JsonNode first = fleet.inspect(TOY1);

        // a number, a map and a list ignored; the image (a string) is not
        fleet.write(ignoring.replace("memory  = 64Mi", "memory  = 96Mi").replace("MODE = \"a\"", "MODE = \"b\"")
                .replace("up; while", "UP; while").replace("tag  = \"1\"", "tag  = \"2\""));
        CliRunner.Result plan = ok("plan", dir.toString());
        assertThat(plan.out()).contains(TOY1 + " (host_instance) will be recreated (restart, keeps IP, cores and data)")
                .contains("image: \"fleetform/busybox:1\" → \"fleetform/busybox:2\"")
                .doesNotContain("memory_bytes").doesNotContain("MODE").doesNotContain("UP;");
        ok("apply", dir.toString(), "--auto-approve");
        JsonNode second = fleet.inspect(TOY1);
        assertThat(second.at("/Id").asText()).isNotEqualTo(first.at("/Id").asText());
        assertThat(second.at("/Config/Image").asText()).isEqualTo("fleetform/busybox:2");
        assertThat(second.at("/HostConfig/Memory").asLong()).as("ignored, also by the recreate").isEqualTo(64L << 20);
        assertThat(second.at("/Config/Env").toString()).contains("MODE=a");
        assertThat(second.at("/Config/Cmd").toString()).contains("up; while");

        // a string, CPU, the disk block, io and init ignored: none of their changes is planned
        String other = base.replace("tag  = \"1\"", "tag  = \"2\"").replace("ports   =",
                "lifecycle { ignore_changes = [\"image\", \"cpu\", \"disk\", \"init\", \"io\", \"memory\", \"env\", "
                        + "\"command\"] }\n    ports   =");
        fleet.write(other);
        assertThat(cli("plan", dir.toString(), "--detailed-exitcode").exitCode()).isEqualTo(ExitCode.OK);
        fleet.write(other.replace("tag  = \"2\"", "tag  = \"1\"").replace("cpu     = 250m", "cpu     = 500m")
                .replace("64Mi at", "128Mi at").replace("memory  = 64Mi", "memory  = 64Mi\n    init    = none"));
        CliRunner.Result none = cli("plan", dir.toString(), "--detailed-exitcode");
        assertThat(none.exitCode()).as(none.out() + none.err()).isEqualTo(ExitCode.OK);
    }

    @Test
    void initIsDockersInitOrTheImagesSystemdAsDockerInspectShows() throws Exception {
        // The toy's shell also ends on SIGRTMIN+3 (37), the stop signal of a systemd image, as systemd does: as
        // PID 1 it ignores a signal it has no handler for, and each stop would wait out the 10 s grace.
        String text = fleet.quickstart().replace("memory  = 64Mi",
                "memory  = 64Mi\n    init    = z.index == 1 ? \"docker\" : \"systemd\"")
                .replace("trap 'exit 0' TERM;", "trap 'exit 0' TERM 37;");
        assertThat(text).contains("TERM 37;");
        fleet.write(text);
        CliRunner.Result apply = ok("apply", dir.toString(), "--auto-approve");
        assertThat(apply.out()).contains("init: \"docker\"").contains("init: \"systemd\"");
        JsonNode docker = fleet.inspect(TOY1);
        assertThat(docker.at("/HostConfig/Init").asBoolean()).isTrue();
        JsonNode systemd = fleet.inspect("zone.toy2.service.game[0]");
        assertThat(systemd.at("/Config/StopSignal").asText()).isEqualTo("SIGRTMIN+3");
        assertThat(systemd.at("/HostConfig/CgroupnsMode").asText()).isEqualTo("host");
        assertThat(systemd.at("/HostConfig/Tmpfs").has("/run")).isTrue();
        assertThat(systemd.at("/HostConfig/Tmpfs").has("/run/lock")).isTrue();
        assertThat(systemd.at("/HostConfig/Binds").toString()).contains("/sys/fs/cgroup:/sys/fs/cgroup:rw");
    }

    @Test
    void destroyRemovesTheFleetsNetworksAndASubnetClashIsAPlanError() throws Exception {
        String clash = "fftest-clash-" + fleet.name.substring(fleet.name.lastIndexOf('-') + 1);
        docker("network", "create", "--subnet", fleet.prefix + ".0/24", clash);
        foreignNetworks.add(clash);
        fleet.write(fleet.quickstart());
        CliRunner.Result refused = cli("plan", dir.toString());
        assertThat(refused.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(refused.err()).contains("ip_pool " + fleet.prefix + ".0/24 of idc \"local\" overlaps Docker network "
                + clash + " (" + fleet.prefix + ".0/24) on host local").contains("quickstart.fleet:");
        docker("network", "rm", clash);

        ok("apply", dir.toString(), "--auto-approve");
        assertThat(fleet.networks()).containsExactly(fleet.network("local"));
        ok("destroy", dir.toString(), "--auto-approve");
        assertThat(fleet.networks()).isEmpty();
        assertThat(fleet.containers()).isEmpty();
    }

    @Test
    void aContainerTheAgentWouldRefuseIsRefusedByThePlanAndNothingIsClaimed() throws Exception {
        // Below the Docker Engine's 6 MB memory floor: the plan says so where the service is written,
        // rather than promising a create that fails after its claim.
        fleet.write(fleet.quickstart().replace("memory  = 64Mi", "memory  = 1Mi"));
        CliRunner.Result refused = cli("plan", dir.toString());
        assertThat(refused.exitCode()).as(refused.out() + refused.err()).isEqualTo(ExitCode.ERROR);
        assertThat(refused.err()).contains("service zone.toy1.service.game cannot run on hosts: memoryBytes must be "
                + "at least 6291456 (6 MiB), got 1048576").contains("quickstart.fleet:");
        CliRunner.Result failed = cli("apply", dir.toString(), "--auto-approve");
        assertThat(failed.exitCode()).as(failed.out() + failed.err()).isEqualTo(ExitCode.ERROR);
        assertThat(fleet.containers()).isEmpty();
        Path ledger = dir.resolve(".fleetform/local-agent/data/ledger.json");
        assertThat(!Files.exists(ledger) || !Files.readString(ledger).contains("zone.toy")).as("nothing claimed").isTrue();
    }

    private static void waitFor(java.util.concurrent.Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 60 s");
            }
            Thread.sleep(200);
        }
    }
}
