package io.fleetform.provider.host.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.provider.host.agent.HostFacts.Nic;
import io.fleetform.provider.host.agent.HostFacts.NumaNode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FactsReaderTest {
    static Path fixture() {
        try {
            return Path.of(FactsReaderTest.class.getResource("/topology/two-numa").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void readsTwoNumaNodesOfSixteenCpusFromTheFixture() {
        FactsReader.Topology t = new FactsReader(fixture()).topology();
        assertThat(t.hostname()).isEqualTo("game-host-01");
        assertThat(t.cpus().online()).isEqualTo("0-31");
        assertThat(t.cpus().count()).isEqualTo(32);
        assertThat(t.numaNodes()).extracting(NumaNode::id).containsExactly(0, 1);
        assertThat(t.numaNodes()).extracting(NumaNode::cpulist).containsExactly("0-7,16-23", "8-15,24-31");
        assertThat(t.numaNodes()).extracting(NumaNode::cpuCount).containsExactly(16, 16);
        assertThat(t.numaNodes()).extracting(NumaNode::memTotalBytes).containsOnly(64L << 30);
        assertThat(t.numaNodes().get(0).memFreeBytes()).isEqualTo((64L << 30) - (8L << 30));
        assertThat(t.memory().totalBytes()).isEqualTo(128L << 30);
        assertThat(t.memory().availableBytes()).isEqualTo((128L << 30) - (32L << 30));
    }

    @Test
    void readsTheSriovPhysicalFunctionAndItsEightVfs() {
        FactsReader.Topology t = new FactsReader(fixture()).topology();
        Nic pf = t.nics().stream().filter(n -> n.name().equals("eth0")).findFirst().orElseThrow();
        assertThat(pf.kind()).isEqualTo("sriov-pf");
        assertThat(pf.pciAddress()).isEqualTo("0000:3b:00.0");
        assertThat(pf.numaNode()).isZero();
        assertThat(pf.mtu()).isEqualTo(9000);
        assertThat(pf.speedMbps()).isEqualTo(25000L);
        assertThat(pf.sriov().totalVfs()).isEqualTo(8);
        assertThat(pf.sriov().numVfs()).isEqualTo(8);
        assertThat(pf.sriov().vfs()).extracting(HostFacts.Vf::pciAddress).containsExactly(
                "0000:3b:02.0", "0000:3b:02.1", "0000:3b:02.2", "0000:3b:02.3",
                "0000:3b:02.4", "0000:3b:02.5", "0000:3b:02.6", "0000:3b:02.7");
        assertThat(pf.sriov().vfs()).extracting(HostFacts.Vf::netdev)
                .containsExactly("eth0v0", "eth0v1", "eth0v2", "eth0v3", "eth0v4", "eth0v5", "eth0v6", "eth0v7");
        Nic vf3 = t.nics().stream().filter(n -> n.name().equals("eth0v3")).findFirst().orElseThrow();
        assertThat(vf3.kind()).isEqualTo("sriov-vf");
        assertThat(vf3.physfn()).isEqualTo("0000:3b:00.0");
        assertThat(vf3.pciAddress()).isEqualTo("0000:3b:02.3");
        assertThat(t.nics().stream().filter(n -> n.name().equals("lo")).findFirst().orElseThrow().kind())
                .isEqualTo("virtual");
        assertThat(t.vfsByPci()).hasSize(8).containsKey("0000:3b:02.7");
    }

    @Test
    void readsIrqsWithAffinityAndNames() {
        List<HostFacts.Irq> irqs = new FactsReader(fixture()).topology().irqs();
        assertThat(irqs).extracting(HostFacts.Irq::irq).containsExactly(0, 24, 25);
        assertThat(irqs.get(1).affinity()).isEqualTo("0-7,16-23");
        assertThat(irqs.get(1).name()).isEqualTo("eth0-TxRx-0");
        assertThat(irqs.get(0).name()).isEqualTo("timer");
    }

    @Test
    void realSysfsSymlinksAreReadLikeTheFixture(@TempDir Path root) throws IOException {
        // the layout of real sysfs: virtfnN and physfn are symlinks to PCI device directories
        Path pci = root.resolve("sys/devices/pci0000:00");
        Files.createDirectories(pci.resolve("0000:5e:00.0/net/ens1f0"));
        Files.createDirectories(pci.resolve("0000:5e:02.0/net/ens1f0v0"));
        Files.writeString(pci.resolve("0000:5e:00.0/sriov_totalvfs"), "64\n");
        Files.writeString(pci.resolve("0000:5e:00.0/sriov_numvfs"), "1\n");
        Files.createSymbolicLink(pci.resolve("0000:5e:00.0/virtfn0"), Path.of("../0000:5e:02.0"));
        Files.createSymbolicLink(pci.resolve("0000:5e:02.0/physfn"), Path.of("../0000:5e:00.0"));
        Files.createDirectories(root.resolve("sys/class/net"));
        Files.createSymbolicLink(root.resolve("sys/class/net/ens1f0"),
                Path.of("../../devices/pci0000:00/0000:5e:00.0/net/ens1f0"));
        Files.createSymbolicLink(pci.resolve("0000:5e:00.0/net/ens1f0/device"), Path.of("../../../0000:5e:00.0"));
        Files.createSymbolicLink(root.resolve("sys/class/net/ens1f0v0"),
                Path.of("../../devices/pci0000:00/0000:5e:02.0/net/ens1f0v0"));
        Files.createSymbolicLink(pci.resolve("0000:5e:02.0/net/ens1f0v0/device"), Path.of("../../../0000:5e:02.0"));
        List<Nic> nics = new FactsReader(root).nics();
        assertThat(nics).extracting(Nic::name, Nic::kind, Nic::pciAddress)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("ens1f0", "sriov-pf", "0000:5e:00.0"),
                        org.assertj.core.groups.Tuple.tuple("ens1f0v0", "sriov-vf", "0000:5e:02.0"));
        assertThat(nics.get(0).sriov().totalVfs()).isEqualTo(64);
        assertThat(nics.get(0).sriov().vfs()).singleElement()
                .satisfies(vf -> {
                    assertThat(vf.pciAddress()).isEqualTo("0000:5e:02.0");
                    assertThat(vf.netdev()).isEqualTo("ens1f0v0");
                });
        assertThat(nics.get(1).physfn()).isEqualTo("0000:5e:00.0");
    }

    @Test
    void builderMakesBiggerTopologies(@TempDir Path root) throws IOException {
        TopologyBuilder.create().numaNodes(4).cpusPerNode(48).memoryPerNode(256L << 30)
                .pf("ens1f0", 0x18, 64, 0).pf("ens2f0", 0xaf, 16, 3).writeTo(root);
        FactsReader.Topology t = new FactsReader(root).topology();
        assertThat(t.cpus().count()).isEqualTo(192);
        assertThat(t.numaNodes()).hasSize(4);
        assertThat(t.numaNodes().get(3).cpulist()).isEqualTo("72-95,168-191");
        assertThat(t.memory().totalBytes()).isEqualTo(1024L << 30);
        assertThat(t.vfsByPci()).hasSize(80);
        Nic second = t.nics().stream().filter(n -> n.name().equals("ens2f0")).findFirst().orElseThrow();
        assertThat(second.numaNode()).isEqualTo(3);
        assertThat(second.sriov().vfs().get(15).pciAddress()).isEqualTo("0000:af:03.7");
        assertThat(t.irqs()).extracting(HostFacts.Irq::name).contains("ens2f0-TxRx-1");
    }

    @Test
    void committedFixtureIsWhatTheBuilderWrites(@TempDir Path tmp) throws IOException {
        TopologyBuilder.twoNuma().writeTo(tmp);
        assertThat(tree(tmp)).isEqualTo(tree(fixture()));
    }

    @Test
    void readsTheRealHost() {
        FactsReader.Topology t = new FactsReader(Path.of("/")).topology();
        assertThat(t.cpus().count()).isGreaterThanOrEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(t.memory().totalBytes()).isGreaterThan(64L << 20);
        assertThat(t.nics()).extracting(Nic::name).contains("lo");
    }

    private static List<String> tree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            // links (to this machine's own /proc files) are not part of the fixture
            return s.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).sorted().map(p -> {
                try {
                    return root.relativize(p) + "=" + Files.readString(p);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).collect(Collectors.toList());
        }
    }
}
