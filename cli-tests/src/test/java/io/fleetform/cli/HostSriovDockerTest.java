package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.testing.TestSubnets;
import io.fleetform.provider.host.agent.AgentOptions;
import io.fleetform.provider.host.agent.AgentServer;
import io.fleetform.provider.sriov.Commands;
import io.fleetform.provider.sriov.FixtureCommands;
import io.fleetform.provider.sriov.SriovFixture;
import io.fleetform.provider.sriov.SriovTree;
import io.fleetform.provider.sriov.VfSettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code network = sriov} through the CLI: plan shows each instance's PF, VF and IRQ cores; apply gives each its VF
 * inside a real container (a veth end stands for the VF netdev, the sysfs/procfs side is a fixture root); a VF
 * setting changed by hand is drift that apply puts back; destroy resets the VFs. Both forms of the attribute.
 */
class HostSriovDockerTest {
    private static final String TOKEN = "sriov-test-token-0123456789abcdef";
    @TempDir
    Path tmp;
    private AgentServer agent;
    private Path root;
    private FixtureCommands commands;
    private SriovFixture fixture;
    private final String tag = UUID.randomUUID().toString().substring(0, 5);
    private final String pf = "ffq" + tag + "a";
    private final List<String> vfs = List.of("ffw" + tag + "0", "ffw" + tag + "1");
    /** The VFs' subnet: it lives only inside the containers' namespaces, yet is leased like a Docker network's. */
    private final String net = TestSubnets.prefix("10.125.0.0/16");
    private final List<Path> fleets = new ArrayList<>();

    @BeforeAll
    static void images() throws Exception {
        QuickstartDockerTest.images();
    }

    @BeforeEach
    void startAgent() throws Exception {
        root = Files.createDirectories(tmp.resolve("root"));
        // this machine's CPUs as one NUMA node (Docker pins real ones), and one PF with two VFs on it
        write("proc/sys/kernel/hostname", "sriov-host");
        write("sys/devices/system/cpu/online", "0-1");
        write("sys/devices/system/node/node0/cpulist", "0-1");
        write("sys/devices/system/node/node0/meminfo", "Node 0 MemTotal: 8388608 kB\nNode 0 MemFree: 4194304 kB");
        write("proc/meminfo", "MemTotal: 8388608 kB\nMemFree: 4194304 kB\nMemAvailable: 4194304 kB");
        fixture = SriovFixture.create().defaultAffinity("0-1").pf(pf, 0x3b, 0, 8, vfs);
        fixture.writeTo(root);
        for (String v : vfs) {
            Commands.SYSTEM.run(List.of("ip", "link", "add", v, "type", "veth", "peer", "name", v + "p"));
        }
        commands = new FixtureCommands(root);
        Path dir = Files.createDirectories(tmp.resolve("agent"));
        Files.writeString(dir.resolve("token"), TOKEN);
        agent = AgentServer.start(AgentOptions.of(new InetSocketAddress("127.0.0.1", 0), dir.resolve("token"),
                dir.resolve("data")).withRoot(root), commands);
    }

    private void write(String rel, String content) throws IOException {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content + "\n");
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Path dir : fleets) {
            CliRunner.run(env(), "destroy", dir.toString(), "--auto-approve");
        }
        agent.close();
        for (String v : vfs) {
            try {
                Commands.SYSTEM.run(List.of("ip", "link", "del", v + "p"));
            } catch (Commands.CommandException ignored) {
                // went with the container's namespace
            }
        }
    }

    private static Map<String, String> env() {
        return Map.of("FLEETFORM_SECRET_AGENT", TOKEN);
    }

    private Path fleet(String name, int zones, String cpu, String network) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        fleets.add(dir);
        Files.writeString(dir.resolve("main.fleet"), """
                fleet "%s" { owner = "ops" }
                image "toy" {
                  name = "fleetform/busybox"
                  tag  = "1"
                }
                hosts "pool" {
                  agents   = ["127.0.0.1:%d"]
                  token    = secret("agent")
                }
                idc "dc" {
                  region  = "here"
                  target  = hosts.pool
                  ip_pool = "%s.0/24"
                }
                zones "s" from 1 to %d as z {
                  idc = idc.dc
                  service "gs" {
                    image   = image.toy
                    cpu     = %s
                    memory  = 32Mi
                    ports   = { game = 7000 }
                    command = ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
                    %s
                  }
                }
                """.formatted(name + "-" + tag, agent.port(), net, zones, cpu, network));
        return dir;
    }

    private static CliRunner.Result run(String... args) {
        return CliRunner.run(env(), args);
    }

    private static CliRunner.Result ok(String... args) {
        CliRunner.Result r = run(args);
        assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r.out() + r.err()).isEqualTo(ExitCode.OK);
        return r;
    }

    private String containerOf(int zone) throws Exception {
        return DockerFleet.docker("ps", "-q", "--filter", "label=io.fleetform.address=zone.s" + zone
                + ".service.gs[0]", "--filter", "label=io.fleetform.agent=" + agent.agentId()).strip();
    }

    @Test
    void eachInstanceGetsItsVfInsideItsContainerAndHandChangesAreDrift() throws Exception {
        Path dir = fleet("sr", 1, "1 core pinned", "network sriov {\n      vlan = 120\n      qos = 3\n"
                + "      irq = local\n      rps = on\n      mtu = 9000\n      max_rate = 125MB/s\n    }");
        CliRunner.Result plan = ok("plan", dir.toString());
        assertThat(plan.out()).contains("sriov_pf").contains(pf).contains("vf").contains("0000:3b:02.0")
                .contains("irq_cores").contains("eth0 " + net + ".").contains("mtu 9000");

        ok("apply", dir.toString(), "--auto-approve");
        String c = containerOf(1);
        String addr = DockerFleet.docker("exec", c, "ip", "addr", "show", "dev", "eth0");
        assertThat(addr).contains("inet " + net + ".").contains("/24").contains("mtu 9000");
        assertThat(DockerFleet.docker("exec", c, "ip", "route")).contains("default via " + net + ".1 dev eth0");
        VfSettings set = commands.settings(pf, 0);
        assertThat(set.vlan()).isEqualTo(120);
        assertThat(set.qos()).isEqualTo(3);
        assertThat(set.maxTxMbps()).isEqualTo(1000);
        String cores = new SriovTree(root).irqAffinity(fixture.irq(0, 0, 0)).orElseThrow();
        assertThat(cores).isIn("0", "1");
        assertThat(run("plan", dir.toString(), "--detailed-exitcode").exitCode()).as("applied as planned")
                .isEqualTo(ExitCode.OK);

        // an operator changes the VLAN, an IRQ's affinity and a queue's RPS mask by hand
        commands.set(pf, 0, new VfSettings(7, 0, set.mac(), set.spoofCheck(), set.trust(), 0, 1000, "auto"));
        new SriovTree(root).writeIrqAffinity(fixture.irq(0, 0, 1), "0-1");
        String rps = new SriovTree(root).rps(vfs.get(0)).get("rx-0");
        new SriovTree(root).writeRps(vfs.get(0), "rx-0", "3");
        CliRunner.Result drift = run("plan", dir.toString(), "--detailed-exitcode");
        assertThat(drift.exitCode()).as(drift.out() + drift.err()).isEqualTo(ExitCode.CHANGES);
        assertThat(drift.out()).contains("vf_settings").contains("irq_cores").contains("rps_cpus rx-0 3")
                .doesNotContain("will be recreated");

        ok("apply", dir.toString(), "--auto-approve");
        assertThat(containerOf(1)).as("repaired in place").isEqualTo(c);
        assertThat(commands.settings(pf, 0).vlan()).isEqualTo(120);
        assertThat(new SriovTree(root).irqAffinity(fixture.irq(0, 0, 1))).contains(cores);
        assertThat(io.fleetform.provider.sriov.CpuSet.fromMask(new SriovTree(root).rps(vfs.get(0)).get("rx-0")))
                .isEqualTo(io.fleetform.provider.sriov.CpuSet.fromMask(rps));
        assertThat(run("plan", dir.toString(), "--detailed-exitcode").exitCode()).isEqualTo(ExitCode.OK);

        ok("destroy", dir.toString(), "--auto-approve");
        assertThat(commands.settings(pf, 0)).isEqualTo(VfSettings.RESET);
        assertThat(new SriovTree(root).irqAffinity(fixture.irq(0, 0, 0))).contains("0-1");
    }

    @Test
    void theAttributeFormPlansAndAPoolWithoutAFreeVfIsAPlanError() throws Exception {
        Path dir = fleet("attr", 3, "100m", "network = sriov");
        CliRunner.Result r = run("plan", dir.toString());
        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(ExitCode.ERROR);
        assertThat(r.err()).contains("main.fleet:").contains("cannot place zone.s3.service.gs[0]")
                .contains("a free SR-IOV VF").doesNotContain("Exception");

        Files.writeString(dir.resolve("main.fleet"), Files.readString(dir.resolve("main.fleet"))
                .replace("from 1 to 3", "from 1 to 2"));
        CliRunner.Result two = ok("plan", dir.toString());
        assertThat(two.out()).contains("0000:3b:02.0").contains("0000:3b:02.1").contains("any (irq = any)");
        ok("apply", dir.toString(), "--auto-approve");
        assertThat(DockerFleet.docker("exec", containerOf(2), "ip", "addr", "show", "dev", "eth0"))
                .contains("inet " + net + ".");
    }
}
