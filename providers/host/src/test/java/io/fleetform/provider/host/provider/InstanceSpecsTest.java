package io.fleetform.provider.host.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.eval.EvalOptions;
import io.fleetform.engine.load.FleetLoader;
import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.model.Service;
import io.fleetform.engine.model.Zone;
import io.fleetform.provider.host.agent.ContainerSpec;
import io.fleetform.provider.host.agent.HostFacts;
import io.fleetform.provider.host.agent.NetworkSpec;
import io.fleetform.provider.host.placement.Placement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the plan shows of a host's light-VM support, from the agent's facts, and what the agent is asked for. */
class InstanceSpecsTest {
    @TempDir
    Path dir;

    private Fleet fleet(String service) throws Exception {
        Files.writeString(dir.resolve("main.fleet"), """
                fleet "f" { owner = "o" }
                image "toy" {
                  name = "toy"
                  tag  = "1"
                }
                hosts "h" { local = true }
                idc "i" {
                  region  = "r"
                  target  = hosts.h
                  ip_pool = "10.9.0.0/24"
                }
                zone "z1" {
                  idc = idc.i
                  service "game" {
                    image  = image.toy
                    cpu    = 1 core pinned
                    memory = 64Mi
                %s
                  }
                }
                """.formatted(service));
        return FleetLoader.fromClassPath().load(dir, EvalOptions.defaults()).fleetOrThrow();
    }

    private static HostFacts host(boolean lxcfs, String quotaUnsupported, String cgroupVersion) {
        return new HostFacts("a", "h", "/", new HostFacts.CpuFacts("0-3", 4), List.of(),
                new HostFacts.MemoryFacts(1L << 33, 1L << 32), List.of(), List.of(),
                new HostFacts.DiskFacts("/var/lib/fleetform", "/dev/vda", "253:0", 1L << 40, 1L << 39,
                        quotaUnsupported),
                new HostFacts.DockerFacts(true, "unix:///var/run/docker.sock", "26", "1.45", "overlay2", "xfs",
                        cgroupVersion, true, null, List.of()),
                new HostFacts.LxcfsFacts(lxcfs, "/var/lib/lxcfs/proc"), null);
    }

    private static Map<String, Object> attributes(Fleet fleet, HostFacts facts) {
        Zone zone = fleet.zones().get(0);
        Service s = zone.services().get(0);
        return InstanceSpecs.attributes(fleet, zone, s, 0, new Placement(s.instanceAddress(0), "local", 0, "2",
                "10.9.0.2", null), "10.9.0.0/24", Map.of(), facts);
    }

    @Test
    void aHostWithLxcfsQuotasAndCgroupV2SaysSoAndTheContainerGetsLxcfsAndItsInit() throws Exception {
        Fleet f = fleet("""
                    disk   = 1Gi at "/data"
                    io { write = 100MB/s }
                    init   = systemd""");
        Map<String, Object> a = attributes(f, host(true, null, "2"));
        assertThat(a).containsEntry("lxcfs", true).containsEntry("init", "systemd")
                .containsEntry("status", "running")
                .containsEntry("disk_limit", "enforced (xfs project quota on the data directory)")
                .containsEntry("io_buffered_writes", "capped (cgroup v2 io.max covers buffered writes)");
        ContainerSpec spec = InstanceSpecs.container(a, "salt");
        assertThat(spec.lxcfs()).isTrue();
        assertThat(spec.init()).isEqualTo("systemd");
        assertThat(spec.diskQuotaBytes()).isEqualTo(1L << 30);
    }

    @Test
    void aHostWithoutThemSaysPlainlyWhatIsNotEnforced() throws Exception {
        Fleet f = fleet("""
                    disk   = 1Gi at "/data"
                    io { write = 100MB/s }""");
        Map<String, Object> a = attributes(f, host(false, "the data directory /x is on ext4 (/)", "1"));
        assertThat(a).containsEntry("lxcfs", false).containsEntry("init", "docker")
                .containsEntry("disk_limit", "not enforced: the data directory /x is on ext4 (/)")
                .containsEntry("io_buffered_writes", "not capped (cgroup v1 blkio throttles direct IO only)");
        assertThat(InstanceSpecs.container(a, "salt").lxcfs()).isFalse();
    }

    @Test
    void anAgentBridgeInstanceAsksTheAgentForItsBridgeNotADockerNetwork() throws Exception {
        Map<String, Object> a = attributes(fleet("        network = agent_bridge"), host(false, null, "2"));
        assertThat(a).containsEntry("network_mode", "agent_bridge").containsEntry("ip", "10.9.0.2")
                .containsEntry("subnet", "10.9.0.0/24").containsEntry("gateway", "10.9.0.1")
                .doesNotContainKey("ports");
        var n = InstanceSpecs.container(a, "salt").network();
        assertThat(n.isAgentBridge()).isTrue();
        assertThat(List.of(n.name(), n.subnet(), n.gateway(), n.ipv4())).containsExactly("ff-f-i", "10.9.0.0/24",
                "10.9.0.1", "10.9.0.2");
        assertThat(n.ports()).isEmpty();
    }

    @Test
    void anAgentBridgeInstancesPortsArePublishedByTheAgentAndReadBackForDrift() throws Exception {
        Fleet f = fleet("        network = agent_bridge\n        ports = { game = 7777, voice = 9000 }");
        Zone zone = f.zones().get(0);
        Service s = zone.services().get(0);
        Map<String, Object> a = InstanceSpecs.attributes(f, zone, s, 0, new Placement(s.instanceAddress(0), "local", 0,
                "2", "10.9.0.2", null, List.of(30005, 30006)), "10.9.0.0/24", Map.of(), host(false, null, "2"));
        assertThat(a).containsEntry("ports", Map.of("game", "30005:7777", "voice", "30006:9000"))
                .containsEntry("endpoints", Map.of("game", "127.0.0.1:30005", "voice", "127.0.0.1:30006"))
                .containsEntry(InstanceSpecs.PUBLISHED, List.of("game", "voice"));
        var n = InstanceSpecs.container(a, "salt").network();
        assertThat(n.isAgentBridge()).isTrue();
        assertThat(n.ports()).containsExactlyInAnyOrder(new NetworkSpec.PublishedPort("game", 7777, 30005),
                new NetworkSpec.PublishedPort("voice", 9000, 30006));
        assertThat(InstanceSpecs.allocation(a).ports()).containsExactlyInAnyOrder(30005, 30006);
    }

    @Test
    void ignoreChangesNamesTheLanguagesAttributes() {
        assertThat(InstanceSpecs.ignored(List.of("memory", "cpu", "env", "io", "replicas")))
                .containsExactly("memory_bytes", "cpu_millicores", "cores", "numa_node", "env", "secret_env",
                        "secret_env_names", "io_read_bps", "io_write_bps");
    }
}
