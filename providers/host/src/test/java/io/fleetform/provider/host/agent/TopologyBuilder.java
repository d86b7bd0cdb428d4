package io.fleetform.provider.host.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Writes a fake sysfs/procfs tree the agent's {@link FactsReader} can read: NUMA nodes with hyper-threaded
 * cpulists (node n holds cores {@code n*c .. n*c+c/2-1} and their siblings in the upper half, as on real
 * dual-socket machines), memory per node, SR-IOV physical functions with VFs, IRQs and optionally lxcfs.
 *
 * <p>Virtual-function links are written as directories with a {@code uevent} naming their PCI slot (the form the
 * tree takes once copied without symlinks), which {@link FactsReader} reads just like real sysfs links.
 */
public final class TopologyBuilder {
    private int nodes = 2;
    private int cpusPerNode = 16;
    private long memoryPerNodeBytes = 64L << 30;
    private String hostname = "game-host-01";
    private final List<Pf> pfs = new ArrayList<>();
    private boolean lxcfs;

    private record Pf(String name, int bus, int vfs, int numaNode) {
    }

    public static TopologyBuilder create() {
        return new TopologyBuilder();
    }

    public TopologyBuilder numaNodes(int n) {
        this.nodes = n;
        return this;
    }

    /** Logical CPUs per node; must be even (half are hyper-thread siblings). */
    public TopologyBuilder cpusPerNode(int n) {
        if (n % 2 != 0) {
            throw new IllegalArgumentException("cpusPerNode must be even");
        }
        this.cpusPerNode = n;
        return this;
    }

    public TopologyBuilder memoryPerNode(long bytes) {
        this.memoryPerNodeBytes = bytes;
        return this;
    }

    public TopologyBuilder hostname(String h) {
        this.hostname = h;
        return this;
    }

    /** Adds an SR-IOV physical function on PCI bus {@code bus} with {@code vfs} VFs named {@code <name>v<i>}. */
    public TopologyBuilder pf(String name, int bus, int vfs, int numaNode) {
        pfs.add(new Pf(name, bus, vfs, numaNode));
        return this;
    }

    /** Adds fake lxcfs proc files under var/lib/lxcfs/proc (content names the file, e.g. "lxcfs meminfo"). */
    public TopologyBuilder lxcfs(boolean on) {
        this.lxcfs = on;
        return this;
    }

    /** The cpulist of node {@code n} as this builder lays CPUs out. */
    public String nodeCpulist(int n) {
        TreeSet<Integer> cpus = new TreeSet<>();
        int half = cpusPerNode / 2;
        int total = nodes * cpusPerNode;
        for (int i = 0; i < half; i++) {
            cpus.add(n * half + i);
            cpus.add(total / 2 + n * half + i);
        }
        return CpuList.format(cpus);
    }

    private static void link(Path root, String relative, Path target) throws IOException {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(p, target);
        }
    }

    public Path writeTo(Path root) throws IOException {
        int total = nodes * cpusPerNode;
        write(root, "proc/sys/kernel/hostname", hostname + "\n");
        // what the agent reads of this machine itself, under the root: its mounts (the data filesystem's quota) and
        // the sockets of the host's network namespace (pid 1's)
        link(root, "proc/self/mounts", Path.of("/proc/self/mounts"));
        link(root, "proc/1/net", Path.of("/proc/1/net"));
        // and whether that /proc is the host's PID namespace (pid 1's namespace, or the kernel's kthreadd as pid 2)
        link(root, "proc/1/ns", Path.of("/proc/1/ns"));
        link(root, "proc/2", Path.of("/proc/2"));
        write(root, "sys/devices/system/cpu/online", "0-" + (total - 1) + "\n");
        write(root, "sys/devices/system/cpu/possible", "0-" + (total - 1) + "\n");
        write(root, "sys/devices/system/node/online", nodes == 1 ? "0\n" : "0-" + (nodes - 1) + "\n");
        long kb = memoryPerNodeBytes / 1024;
        for (int n = 0; n < nodes; n++) {
            write(root, "sys/devices/system/node/node" + n + "/cpulist", nodeCpulist(n) + "\n");
            write(root, "sys/devices/system/node/node" + n + "/meminfo",
                    "Node " + n + " MemTotal:       " + kb + " kB\n"
                            + "Node " + n + " MemFree:        " + (kb - kb / 8) + " kB\n"
                            + "Node " + n + " MemUsed:        " + kb / 8 + " kB\n");
        }
        write(root, "proc/meminfo", "MemTotal:       " + kb * nodes + " kB\n"
                + "MemFree:        " + (kb * nodes - kb) + " kB\n"
                + "MemAvailable:   " + (kb * nodes - kb / 2) + " kB\n"
                + "SwapTotal:             0 kB\n");
        write(root, "sys/class/net/lo/address", "00:00:00:00:00:00\n");
        write(root, "sys/class/net/lo/mtu", "65536\n");
        write(root, "sys/class/net/lo/operstate", "unknown\n");
        int irq = 24;
        StringBuilder interrupts = new StringBuilder();
        for (int c = 0; c < total; c++) {
            interrupts.append(String.format("%11s", "CPU" + c));
        }
        interrupts.append('\n');
        writeIrq(root, interrupts, 0, "0-" + (total - 1), "IO-APIC", "2-edge", "timer", total);
        for (Pf pf : pfs) {
            String pfPci = String.format("0000:%02x:00.0", pf.bus());
            String mac = String.format("02:00:00:%02x:00:00", pf.bus());
            String base = "sys/class/net/" + pf.name() + "/";
            write(root, base + "address", mac + "\n");
            write(root, base + "mtu", "9000\n");
            write(root, base + "operstate", "up\n");
            write(root, base + "speed", "25000\n");
            write(root, base + "device/uevent", "DRIVER=ice\nPCI_SLOT_NAME=" + pfPci + "\n");
            write(root, base + "device/numa_node", pf.numaNode() + "\n");
            write(root, base + "device/sriov_totalvfs", pf.vfs() + "\n");
            write(root, base + "device/sriov_numvfs", pf.vfs() + "\n");
            for (int v = 0; v < pf.vfs(); v++) {
                String vfPci = String.format("0000:%02x:%02x.%d", pf.bus(), 2 + v / 8, v % 8);
                String vfName = pf.name() + "v" + v;
                write(root, base + "device/virtfn" + v + "/uevent", "DRIVER=iavf\nPCI_SLOT_NAME=" + vfPci + "\n");
                write(root, base + "device/virtfn" + v + "/net/" + vfName + "/ifindex", (100 + v) + "\n");
                String vb = "sys/class/net/" + vfName + "/";
                write(root, vb + "address", String.format("02:00:00:%02x:01:%02x", pf.bus(), v) + "\n");
                write(root, vb + "mtu", "9000\n");
                write(root, vb + "operstate", "up\n");
                write(root, vb + "device/uevent", "DRIVER=iavf\nPCI_SLOT_NAME=" + vfPci + "\n");
                write(root, vb + "device/numa_node", pf.numaNode() + "\n");
                write(root, vb + "device/physfn/uevent", "DRIVER=ice\nPCI_SLOT_NAME=" + pfPci + "\n");
            }
            writeIrq(root, interrupts, irq++, nodeCpulist(pf.numaNode()), "PCI-MSIX-" + pfPci, "0-edge",
                    pf.name() + "-TxRx-0", total);
            writeIrq(root, interrupts, irq++, nodeCpulist(pf.numaNode()), "PCI-MSIX-" + pfPci, "1-edge",
                    pf.name() + "-TxRx-1", total);
        }
        write(root, "proc/interrupts", interrupts.toString());
        if (lxcfs) {
            for (String f : List.of("cpuinfo", "diskstats", "loadavg", "meminfo", "stat", "swaps", "uptime")) {
                write(root, "var/lib/lxcfs/proc/" + f, "lxcfs " + f + "\n");
            }
        }
        return root;
    }

    private static void writeIrq(Path root, StringBuilder interrupts, int irq, String affinity, String chip,
                                 String hw, String name, int cpus) throws IOException {
        write(root, "proc/irq/" + irq + "/smp_affinity_list", affinity + "\n");
        interrupts.append(String.format("%4d:", irq));
        for (int c = 0; c < cpus; c++) {
            interrupts.append(String.format("%11d", c == 0 ? 7 : 0));
        }
        interrupts.append("  ").append(chip).append("  ").append(hw).append("  ").append(name).append('\n');
    }

    private static void write(Path root, String rel, String content) throws IOException {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    /** Regenerates the committed fixture: {@code java ... TopologyBuilder src/test/resources/topology/two-numa}. */
    public static void main(String[] args) throws IOException {
        twoNuma().writeTo(Path.of(args[0]));
    }

    /** The committed fixture's parameters: 2 NUMA nodes x 16 CPUs, 64 GiB each, PF eth0 with 8 VFs on node 0. */
    public static TopologyBuilder twoNuma() {
        return create().numaNodes(2).cpusPerNode(16).memoryPerNode(64L << 30).pf("eth0", 0x3b, 8, 0);
    }
}
