package io.fleetform.provider.sriov;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the SR-IOV part of a sysfs/procfs tree the way the kernel lays it out, symlinks included: each PF and
 * VF a PCI device under {@code sys/devices/pci0000:00/}, reached from {@code sys/bus/pci/devices/<pci>} and
 * {@code sys/class/net/<netdev>}; the PF's {@code sriov_totalvfs}, {@code sriov_numvfs} and {@code virtfnN} links;
 * each VF's {@code physfn} link, {@code numa_node}, {@code msi_irqs/<irq>} and its netdev's
 * {@code queues/rx-N/rps_cpus}; {@code proc/irq/<irq>/smp_affinity_list} for every MSI IRQ. CPUs and memory are
 * not written (the host tests lay those out with their own builder).
 */
public final class SriovFixture {
    /** One PF: its netdev, PCI bus, NUMA node and the netdev names of its VFs (real interfaces in Docker tests). */
    public record Pf(String name, int bus, int numaNode, int totalVfs, List<String> vfNetdevs) {
    }

    private final List<Pf> pfs = new ArrayList<>();
    private int queues = 2;
    private String defaultAffinity = "0-7";
    private int firstIrq = 120;

    public static SriovFixture create() {
        return new SriovFixture();
    }

    public SriovFixture pf(String name, int bus, int numaNode, int totalVfs, List<String> vfNetdevs) {
        pfs.add(new Pf(name, bus, numaNode, totalVfs, List.copyOf(vfNetdevs)));
        return this;
    }

    /** The affinity every IRQ starts with (the host's CPUs, as after boot). */
    public SriovFixture defaultAffinity(String cpulist) {
        this.defaultAffinity = cpulist;
        return this;
    }

    public SriovFixture firstIrq(int irq) {
        this.firstIrq = irq;
        return this;
    }

    public static String pfPci(int bus) {
        return String.format("0000:%02x:00.0", bus);
    }

    public static String vfPci(int bus, int index) {
        return String.format("0000:%02x:%02x.%d", bus, 2 + index / 8, index % 8);
    }

    /** The MSI IRQs the fixture gives VF {@code index} of the {@code pfOrdinal}-th PF (3 each: rx/tx queues and misc). */
    public int irq(int pfOrdinal, int index, int n) {
        return firstIrq + pfOrdinal * 64 + index * 3 + n;
    }

    public Path writeTo(Path root) {
        try {
            Path devices = root.resolve("sys/devices/pci0000:00");
            for (int o = 0; o < pfs.size(); o++) {
                Pf pf = pfs.get(o);
                String pfPci = pfPci(pf.bus());
                Path pfDev = devices.resolve(pfPci);
                write(pfDev.resolve("uevent"), "DRIVER=ice\nPCI_SLOT_NAME=" + pfPci);
                write(pfDev.resolve("numa_node"), Integer.toString(pf.numaNode()));
                write(pfDev.resolve("sriov_totalvfs"), Integer.toString(pf.totalVfs()));
                write(pfDev.resolve("sriov_numvfs"), Integer.toString(pf.vfNetdevs().size()));
                netdev(root, pfDev, pf.name(), String.format("02:00:00:%02x:00:00", pf.bus()), 0);
                link(root.resolve("sys/bus/pci/devices").resolve(pfPci), pfDev);
                for (int v = 0; v < pf.vfNetdevs().size(); v++) {
                    String vfPci = vfPci(pf.bus(), v);
                    Path vfDev = devices.resolve(vfPci);
                    write(vfDev.resolve("uevent"), "DRIVER=iavf\nPCI_SLOT_NAME=" + vfPci);
                    write(vfDev.resolve("numa_node"), Integer.toString(pf.numaNode()));
                    link(vfDev.resolve("physfn"), pfDev);
                    link(pfDev.resolve("virtfn" + v), vfDev);
                    link(root.resolve("sys/bus/pci/devices").resolve(vfPci), vfDev);
                    for (int n = 0; n < 3; n++) {
                        int irq = irq(o, v, n);
                        write(vfDev.resolve("msi_irqs").resolve(Integer.toString(irq)), "msix");
                        write(root.resolve("proc/irq").resolve(Integer.toString(irq)).resolve("smp_affinity_list"),
                                defaultAffinity);
                    }
                    netdev(root, vfDev, pf.vfNetdevs().get(v), String.format("02:00:00:%02x:01:%02x", pf.bus(), v),
                            queues);
                }
            }
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void netdev(Path root, Path dev, String name, String mac, int queues) throws IOException {
        Path n = dev.resolve("net").resolve(name);
        write(n.resolve("address"), mac);
        write(n.resolve("mtu"), "1500");
        write(n.resolve("operstate"), "up");
        for (int q = 0; q < queues; q++) {
            write(n.resolve("queues/rx-" + q + "/rps_cpus"), "00000000");
            write(n.resolve("queues/tx-" + q + "/xps_cpus"), "00000000");
        }
        link(n.resolve("device"), dev);
        link(root.resolve("sys/class/net").resolve(name), n);
    }

    private static void link(Path link, Path target) throws IOException {
        Files.createDirectories(link.getParent());
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, link.getParent().relativize(target));
    }

    private static void write(Path p, String content) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, content + "\n");
    }
}
