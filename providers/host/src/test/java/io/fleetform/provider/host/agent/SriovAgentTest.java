package io.fleetform.provider.host.agent;

import static io.fleetform.provider.host.agent.DockerSupport.IMAGE_1;
import static io.fleetform.provider.host.agent.DockerSupport.IMAGE_2;
import static io.fleetform.provider.host.agent.DockerSupport.SLEEPER;
import static io.fleetform.provider.host.agent.DockerSupport.docker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetform.engine.testing.TestSubnets;
import io.fleetform.provider.sriov.Commands;
import io.fleetform.provider.sriov.FixtureCommands;
import io.fleetform.provider.sriov.SriovAttachments;
import io.fleetform.provider.sriov.SriovFixture;
import io.fleetform.provider.sriov.SriovSpec;
import io.fleetform.provider.sriov.SriovTree;
import io.fleetform.provider.sriov.VethPairs;
import io.fleetform.provider.sriov.VfSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SR-IOV through the real host agent and Docker Engine: a fixture root has two PFs (one per NUMA node), whose VF
 * netdevs are real veth ends; the agent moves one into a real container, where {@code ip} (busybox) sees its
 * address, route and MTU, and binds the VF's IRQs and RPS to the instance's cores in the fixture's procfs/sysfs.
 */
class SriovAgentTest extends DockerTestBase {
    private static final String KEY = "mt2.3f2a9c1e0b7d/zone.s1.service.gs[0]";
    private final String tag = UUID.randomUUID().toString().substring(0, 5);
    private final String pf0 = "ffp" + tag + "a";
    private final String pf1 = "ffp" + tag + "b";
    private final List<String> node0Vfs = List.of("ffv" + tag + "a0", "ffv" + tag + "a1");
    private final List<String> node1Vfs = List.of("ffv" + tag + "b0", "ffv" + tag + "b1");
    /** The VFs' subnet: it lives only inside the containers' namespaces, yet is leased like a Docker network's. */
    private final String net = TestSubnets.prefix("10.131.0.0/16") + ".";
    private SriovFixture fixture;
    private Path root;
    private FixtureCommands commands;
    private TestAgent agent;

    @BeforeEach
    void setUp() throws Exception {
        root = TopologyBuilder.create().numaNodes(2).cpusPerNode(2).writeTo(Files.createDirectories(tmp.resolve("root")));
        // Docker pins real CPUs and memory nodes, and this machine may have two CPUs and one node: the instances
        // live on node 0 with its VFs; node 1 (no CPUs) has the other PF
        Files.writeString(root.resolve("sys/devices/system/cpu/online"), "0-1\n");
        Files.writeString(root.resolve("sys/devices/system/node/node0/cpulist"), "0-1\n");
        Files.writeString(root.resolve("sys/devices/system/node/node1/cpulist"), "\n");
        fixture = SriovFixture.create().defaultAffinity("0-1").pf(pf0, 0x3b, 0, 8, node0Vfs).pf(pf1, 0x5e, 1, 8, node1Vfs);
        fixture.writeTo(root);
        for (String v : all()) {
            veth(v);
        }
        commands = new FixtureCommands(root);
        agent = agent("host-sriov", root, commands);
    }

    private List<String> all() {
        List<String> out = new ArrayList<>(node0Vfs);
        out.addAll(node1Vfs);
        return out;
    }

    /** A veth pair whose host end stands for a VF netdev; its peer stays on the host. */
    private void veth(String name) {
        VethPairs.add(name);
        trackLink(name + "p");
    }

    @AfterEach
    void removeLinks() {
        for (String v : all()) {
            DockerSupport.run("ip", "link", "del", v);
        }
    }

    private static String vf(int i) {
        return SriovFixture.vfPci(0x3b, i);
    }

    private SriovSpec sriov(String vf, int vlan) {
        return new SriovSpec(vf, new VfSettings(vlan, 2, "02:ab:00:00:00:09", true, false, 0, 2000, "auto"), "eth0",
                net + "9/24", net + "1", 9000, true, true);
    }

    private ContainerSpec game(String image, String vf, int vlan) {
        return ContainerSpec.pinned(image, "1", 64 * MIB, NetworkSpec.none(net + "9")).withCpu("1", "0", 0)
                .withCommand(SLEEPER)
                .withStopTimeoutSeconds(1).withSriov(sriov(vf, vlan));
    }

    private AllocationRequest claim(String vf) {
        return new AllocationRequest(0, "1", 64 * MIB, net + "9", 0, vf);
    }

    private String inside(String container, String... cmd) {
        List<String> argv = new ArrayList<>(List.of("exec", container));
        argv.addAll(List.of(cmd));
        return docker(argv.toArray(String[]::new));
    }

    @Test
    void theVfIsMovedIntoTheContainerWithItsAddressRouteAndMtuAndItsIrqsOnTheCores() {
        agent.client().claim(KEY, claim(vf(0)));
        ContainerResult r = agent.client().putContainer(KEY, game(IMAGE_1, vf(0), 120));
        assertThat(r.changes()).anyMatch(c -> c.contains("moved " + node0Vfs.get(0) + " into the container as eth0"));

        String name = r.container().name();
        assertThat(inside(name, "ip", "addr", "show", "dev", "eth0")).contains("inet " + net + "9/24")
                .contains("mtu 9000");
        assertThat(inside(name, "ip", "route")).contains("default via " + net + "1 dev eth0");
        assertThat(Commands.SYSTEM.run(List.of("ip", "-o", "link"))).doesNotContain(" " + node0Vfs.get(0) + "@");
        SriovTree tree = new SriovTree(root);
        for (int n = 0; n < 3; n++) {
            assertThat(tree.irqAffinity(fixture.irq(0, 0, n))).contains("1");
        }
        assertThat(tree.rps(node0Vfs.get(0))).containsEntry("rx-0", "00000002");
        assertThat(commands.settings(pf0, 0).vlan()).isEqualTo(120);
        assertThat(commands.settings(pf0, 1)).isEqualTo(VfSettings.RESET);

        ContainerInfo info = agent.client().container(KEY).orElseThrow();
        assertThat(info.ipv4()).isEqualTo(net + "9");
        assertThat(info.sriov().pf()).isEqualTo(pf0);
        assertThat(info.sriov().irqCores()).isEqualTo("1");
        assertThat(info.sriov().irqsBanned()).isTrue();
        assertThat(Files.exists(root.resolve("run/fleetform/irqbalance-banned-irqs"))).isTrue();
    }

    @Test
    void tcpAndHttpProbesRunInTheContainersNetworkNamespaceWhereTheVfIs() throws Exception {
        agent.client().claim(KEY, claim(vf(0)));
        agent.client().putContainer(KEY, game(IMAGE_1, vf(0), 120).withCommand(ProbeDockerTest.SERVERS));
        // the VF's IP is on the container's eth0 only: the host (the veth's other end has no address) has no route
        ProbeDockerTest.assertProbesRunFromTheContainersNamespace(agent, KEY, net + "9");
    }

    @Test
    void aVfOnAnotherNumaNodeThanTheCoresIsRefused() {
        assertThatThrownBy(() -> agent.client().claim(KEY, claim(SriovFixture.vfPci(0x5e, 0))))
                .hasMessageContaining("VF 0000:5e:02.0 is on NUMA node 1, the instance's cores on node 0");
    }

    @Test
    void aChangeByHandIsSeenAndThePutRepairsItInPlace() {
        agent.client().claim(KEY, claim(vf(0)));
        String id = agent.client().putContainer(KEY, game(IMAGE_1, vf(0), 120)).container().id();
        String name = agent.client().container(KEY).orElseThrow().name();
        commands.set(pf0, 0, new VfSettings(7, 0, "02:ab:00:00:00:09", false, false, 0, 2000, "auto"));
        new SriovTree(root).writeIrqAffinity(fixture.irq(0, 0, 1), "0-1");
        // the container has no NET_ADMIN: an operator on the host changes it
        String pid = DockerSupport.inspect(name, "{{.State.Pid}}").strip();
        Commands.SYSTEM.run(List.of("nsenter", "-t", pid, "-n", "ip", "link", "set", "dev", "eth0", "mtu", "1400"));

        ContainerInfo drifted = agent.client().container(KEY).orElseThrow();
        assertThat(drifted.sriov().settings().vlan()).isEqualTo(7);
        assertThat(drifted.sriov().irqCores()).contains("0-1");
        assertThat(drifted.sriov().link().mtu()).isEqualTo(1400);

        ContainerResult fixed = agent.client().putContainer(KEY, game(IMAGE_1, vf(0), 120));
        assertThat(fixed.action()).isEqualTo(ContainerResult.Action.UPDATED_IN_PLACE);
        assertThat(fixed.container().id()).isEqualTo(id);
        ContainerInfo now = agent.client().container(KEY).orElseThrow();
        assertThat(now.sriov().settings()).isEqualTo(sriov(vf(0), 120).settings());
        assertThat(now.sriov().irqCores()).isEqualTo("1");
        assertThat(inside(name, "ip", "link", "show", "dev", "eth0")).contains("mtu 9000");
    }

    /** RPS of the VF's queues, in the container's namespace once it is there: changed by hand, seen and put back. */
    @Test
    void rpsChangedByHandInTheContainerIsSeenAndThePutRepairsItInPlace() {
        agent.client().claim(KEY, claim(vf(0)));
        String id = agent.client().putContainer(KEY, game(IMAGE_1, vf(0), 120)).container().id();
        ContainerInfo set = agent.client().container(KEY).orElseThrow();
        assertThat(set.sriov().rps()).isNotEmpty().allSatisfy((q, mask) ->
                assertThat(io.fleetform.provider.sriov.CpuSet.fromMask(mask)).containsExactly(1));
        new SriovTree(root).writeRps(node0Vfs.get(0), "rx-0", "1"); // by hand, on the host

        ContainerInfo drifted = agent.client().container(KEY).orElseThrow();
        assertThat(io.fleetform.provider.sriov.CpuSet.fromMask(drifted.sriov().rps().get("rx-0"))).containsExactly(0);

        ContainerResult fixed = agent.client().putContainer(KEY, game(IMAGE_1, vf(0), 120));
        assertThat(fixed.action()).isEqualTo(ContainerResult.Action.UPDATED_IN_PLACE);
        assertThat(fixed.container().id()).isEqualTo(id);
        assertThat(fixed.changes()).anyMatch(c -> c.startsWith("rps_cpus of eth0 rx-0 in the container: "));
        assertThat(io.fleetform.provider.sriov.CpuSet.fromMask(agent.client().container(KEY).orElseThrow().sriov()
                .rps().get("rx-0"))).containsExactly(1);
    }

    @Test
    void removingTheInstanceResetsTheVfAndPutsItsIrqsBack() throws Exception {
        agent.client().claim(KEY, claim(vf(0)));
        agent.client().putContainer(KEY, game(IMAGE_1, vf(0), 120));
        agent.client().removeContainer(KEY, true);
        agent.client().release(KEY);

        assertThat(commands.settings(pf0, 0)).isEqualTo(VfSettings.RESET);
        SriovTree tree = new SriovTree(root);
        assertThat(tree.irqAffinity(fixture.irq(0, 0, 0))).contains("0-1");
        assertThat(tree.rps(node0Vfs.get(0))).containsEntry("rx-0", "00000000");
        assertThat(agent.server().containers().sriov().attachments().records()).isEmpty();
        assertThat(Files.readString(root.resolve("run/fleetform/irqbalance-banned-irqs"))).doesNotContain(KEY);
    }

    @Test
    void aRecreateKeepsTheVfAndMovesItIntoTheNewContainer() {
        agent.client().claim(KEY, claim(vf(0)));
        agent.client().putContainer(KEY, game(IMAGE_1, vf(0), 120));
        // the kernel gives a VF back to the host when its namespace goes; a veth goes with it, so one stands in again
        agent.server().containers().onStep(s -> {
            if (s == RecreateIntent.Step.OLD_STOPPED) {
                veth(node0Vfs.get(0));
            }
        });
        ContainerResult r = agent.client().putContainer(KEY, game(IMAGE_2, vf(0), 120));
        assertThat(r.action()).isEqualTo(ContainerResult.Action.RECREATED);
        assertThat(inside(r.container().name(), "ip", "addr", "show", "dev", "eth0")).contains("inet " + net + "9/24");
        assertThat(agent.server().containers().sriov().attachments().records()).hasSize(1);
    }

    @Test
    void aContainerDockerStartsAgainByItselfGetsItsVfBack() throws Exception {
        agent.client().claim(KEY, claim(vf(0)));
        String name = agent.client().putContainer(KEY, game(IMAGE_1, vf(0), 120)).container().name();
        inside(name, "kill", "-TERM", "1"); // the game server exits; its restart policy starts it again
        // a real VF comes back to the host when the old namespace goes; the veth standing for it goes with it
        veth(node0Vfs.get(0));
        String addr = "";
        for (int i = 0; i < 100 && !addr.contains("inet " + net + "9/24"); i++) {
            Thread.sleep(100);
            addr = DockerSupport.run("docker", "exec", name, "ip", "addr", "show", "dev", "eth0").out();
        }
        assertThat(DockerSupport.inspect(name, "{{.RestartCount}}").strip()).isEqualTo("1");
        assertThat(addr).contains("inet " + net + "9/24").contains("mtu 9000");
    }

    @Test
    void twoFleetsOnOneAgentNeverTakeEachOthersVf() {
        String other = "other.0a1b2c3d4e5f/zone.s1.service.gs[0]";
        agent.client().claim(KEY, claim(vf(0)));
        assertThatThrownBy(() -> agent.client().claim(other, new AllocationRequest(null, "", 64 * MIB, net + "10",
                0, vf(0)))).hasMessageContaining("VF " + vf(0) + " is held by " + KEY);
        agent.client().claim(other, new AllocationRequest(null, "", 64 * MIB, net + "10", 0, vf(1)));
        // a container spec naming a VF its allocation does not hold is refused before anything changes
        ContainerSpec stolen = ContainerSpec.shared(IMAGE_1, 0, 64 * MIB, NetworkSpec.none(net + "10"))
                .withCommand(SLEEPER).withSriov(new SriovSpec(vf(0), VfSettings.RESET, "eth0", net + "10/24",
                        null, 1500, true, false));
        assertThatThrownBy(() -> agent.client().putContainer(other, stolen))
                .hasMessageContaining("VF " + vf(0) + " is not the allocation's");
        assertThat(commands.settings(pf0, 0)).isEqualTo(VfSettings.RESET);
    }

    @Test
    void concurrentClaimsOfOneVfHaveExactlyOneWinner() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Boolean>> tries = new ArrayList<>();
            // no cores and distinct IPs: only the VF is contended
            for (int i = 0; i < 6; i++) {
                String key = "fleet" + i + ".000000000000/zone.s1.service.gs[0]";
                int host = 20 + i;
                Callable<Boolean> claim = () -> {
                    try {
                        agent.client().claim(key, new AllocationRequest(null, "", 16 * MIB, net + host, 0,
                                vf(1)));
                        return true;
                    } catch (AgentException e) {
                        assertThat(e.getMessage()).contains("is held by");
                        return false;
                    }
                };
                tries.add(pool.submit(claim));
            }
            int won = 0;
            for (Future<Boolean> f : tries) {
                won += f.get() ? 1 : 0;
            }
            assertThat(won).isEqualTo(1);
            assertThat(agent.client().allocations().allocations().stream().filter(a -> vf(1).equals(a.vf())))
                    .hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Stands for the agent process dying: an Error passes every cleanup that catches exceptions. */
    private static final class Halt extends Error {
        Halt(SriovAttachments.Step step) {
            super("halted after " + step);
        }
    }

    @ParameterizedTest
    @EnumSource(value = SriovAttachments.Step.class, names = {"RECORDED", "VF_SET", "RPS_SET", "MOVED", "ADDRESSED",
            "IRQS_BOUND"})
    void anAgentKilledDuringTheVfMoveIsFinishedByItsNextStart(SriovAttachments.Step step) throws Exception {
        agent.client().claim(KEY, claim(vf(0)));
        agent.server().containers().sriov().attachments().onStep(s -> {
            if (s == step) {
                throw new Halt(s);
            }
        });
        assertThatThrownBy(() -> agent.server().containers().put(KEY, game(IMAGE_1, vf(0), 120), DockerTestBase.NO_QUOTA))
                .isInstanceOf(Halt.class);

        agent.restart(); // the next agent process finishes the attach before serving
        ContainerInfo info = agent.client().container(KEY).orElseThrow();
        assertThat(inside(info.name(), "ip", "addr", "show", "dev", "eth0")).as("after a halt at " + step)
                .contains("inet " + net + "9/24").contains("mtu 9000");
        assertThat(info.sriov().irqCores()).isEqualTo("1");
        assertThat(info.sriov().settings().vlan()).isEqualTo(120);
        assertThat(agent.server().containers().sriov().attachments().record(KEY).orElseThrow().phase())
                .isEqualTo(io.fleetform.provider.sriov.VfRecord.Phase.ATTACHED);
        assertThat(agent.client().putContainer(KEY, game(IMAGE_1, vf(0), 120)).action())
                .isEqualTo(ContainerResult.Action.UNCHANGED);
    }

    @Test
    void anAgentKilledWhileReleasingFinishesTheReleaseWhenItStarts() throws Exception {
        agent.client().claim(KEY, claim(vf(0)));
        agent.client().putContainer(KEY, game(IMAGE_1, vf(0), 120));
        agent.server().containers().sriov().attachments().onStep(s -> {
            if (s == SriovAttachments.Step.VF_RESET) {
                throw new Halt(s);
            }
        });
        assertThatThrownBy(() -> agent.server().containers().remove(KEY, true)).isInstanceOf(Halt.class);
        agent.restart();
        assertThat(agent.server().containers().sriov().attachments().records()).isEmpty();
        assertThat(new SriovTree(root).irqAffinity(fixture.irq(0, 0, 2))).contains("0-1");
        assertThat(commands.settings(pf0, 0)).isEqualTo(VfSettings.RESET);
    }
}
