package io.fleetform.provider.sriov;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sysfs and procfs files SR-IOV is made of, under a root ({@code /} on a host, a fixture tree in tests):
 * {@code sys/bus/pci/devices/<vf>/{physfn,numa_node,msi_irqs/,net/}}, the PF's {@code virtfnN} links and
 * {@code sriov_numvfs}/{@code sriov_totalvfs}, {@code proc/irq/N/smp_affinity_list}, and the VF netdev's
 * {@code queues/rx-*}{@code /rps_cpus}. Reads and writes the same paths on both; nothing here knows which it is.
 */
public final class SriovTree {
    private static final Pattern VIRTFN = Pattern.compile("virtfn([0-9]+)");
    private static final Pattern PCI = Pattern.compile("[0-9a-fA-F]{4,}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]");

    private final Path root;

    public SriovTree(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /**
     * A virtual function.
     *
     * @param netdev   its netdev on the host, or null (moved into a container, or no driver bound)
     * @param numaNode the NUMA node of its device (its PF's), or null when the kernel reports none
     * @param msiIrqs  its MSI/MSI-X interrupts
     */
    public record Vf(String pci, String pfPci, String pf, int index, String netdev, Integer numaNode,
                     List<Integer> msiIrqs) {
    }

    /** The VF at {@code pci}, or empty when no such VF exists under this root. */
    public Optional<Vf> vf(String pci) {
        Path dev = pciDevice(pci);
        Path physfn = dev.resolve("physfn");
        if (!Files.isDirectory(dev) || !Files.exists(physfn)) {
            return Optional.empty();
        }
        String pfPci = pciName(physfn).orElse(null);
        if (pfPci == null) {
            return Optional.empty();
        }
        Path pfDev = pciDevice(pfPci);
        String pf = first(pfDev.resolve("net")).orElse(null);
        int index = -1;
        for (Path p : list(pfDev)) {
            Matcher m = VIRTFN.matcher(p.getFileName().toString());
            if (m.matches() && pciName(p).map(pci::equalsIgnoreCase).orElse(false)) {
                index = Integer.parseInt(m.group(1));
            }
        }
        if (index < 0 || pf == null) {
            return Optional.empty();
        }
        Integer numa = read(dev.resolve("numa_node")).map(String::strip).map(Integer::valueOf).filter(n -> n >= 0)
                .orElse(null);
        List<Integer> irqs = new ArrayList<>();
        for (Path p : list(dev.resolve("msi_irqs"))) {
            try {
                irqs.add(Integer.parseInt(p.getFileName().toString()));
            } catch (NumberFormatException ignored) {
                // not an IRQ entry
            }
        }
        irqs.sort(Comparator.naturalOrder());
        return Optional.of(new Vf(pci.toLowerCase(), pfPci, pf, index, first(dev.resolve("net")).orElse(null), numa,
                List.copyOf(irqs)));
    }

    /** The PF's {@code sriov_numvfs} and {@code sriov_totalvfs}. */
    public record PfCounts(int numVfs, int totalVfs) {
    }

    public Optional<PfCounts> pfCounts(String pf) {
        Path dev = root.resolve("sys/class/net").resolve(pf).resolve("device");
        Optional<String> total = read(dev.resolve("sriov_totalvfs"));
        if (total.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new PfCounts(read(dev.resolve("sriov_numvfs")).map(String::strip).map(Integer::valueOf)
                .orElse(0), Integer.parseInt(total.get().strip())));
    }

    /** Writes the PF's {@code sriov_numvfs} (the kernel creates or destroys VFs on that write). */
    public void writeNumVfs(String pf, int n) {
        write(root.resolve("sys/class/net").resolve(pf).resolve("device/sriov_numvfs"), Integer.toString(n));
    }

    /** An interrupt's {@code smp_affinity_list}, canonical; empty when the IRQ does not exist. */
    public Optional<String> irqAffinity(int irq) {
        return read(root.resolve("proc/irq").resolve(Integer.toString(irq)).resolve("smp_affinity_list"))
                .map(String::strip).map(CpuSet::canonical);
    }

    public void writeIrqAffinity(int irq, String cpulist) {
        write(root.resolve("proc/irq").resolve(Integer.toString(irq)).resolve("smp_affinity_list"), cpulist);
    }

    /** The {@code rps_cpus} of each receive queue of a netdev on the host, by queue name. */
    public Map<String, String> rps(String netdev) {
        Map<String, String> out = new TreeMap<>();
        for (Path q : list(root.resolve("sys/class/net").resolve(netdev).resolve("queues"))) {
            String name = q.getFileName().toString();
            if (name.startsWith("rx-")) {
                read(q.resolve("rps_cpus")).ifPresent(v -> out.put(name, v.strip()));
            }
        }
        return out;
    }

    public void writeRps(String netdev, String queue, String mask) {
        write(root.resolve("sys/class/net").resolve(netdev).resolve("queues").resolve(queue).resolve("rps_cpus"), mask);
    }

    /** Whether a netdev of that name is on the host (in the namespace whose sysfs this root shows). */
    public boolean netdevOnHost(String netdev) {
        return netdev != null && Files.exists(root.resolve("sys/class/net").resolve(netdev));
    }

    private Path pciDevice(String pci) {
        return root.resolve("sys/bus/pci/devices").resolve(pci.toLowerCase());
    }

    /** The PCI address a device link names: from its target as in real sysfs, else its {@code uevent}. */
    private static Optional<String> pciName(Path link) {
        try {
            if (Files.isSymbolicLink(link)) {
                String target = Files.readSymbolicLink(link).getFileName().toString();
                if (PCI.matcher(target).matches()) {
                    return Optional.of(target.toLowerCase());
                }
            }
            String real = link.toRealPath().getFileName().toString();
            if (PCI.matcher(real).matches()) {
                return Optional.of(real.toLowerCase());
            }
        } catch (IOException ignored) {
            // fall back to uevent
        }
        return read(link.resolve("uevent")).flatMap(u -> u.lines().filter(l -> l.startsWith("PCI_SLOT_NAME="))
                .map(l -> l.substring("PCI_SLOT_NAME=".length()).strip().toLowerCase()).findFirst());
    }

    private static Optional<String> first(Path dir) {
        return list(dir).stream().map(p -> p.getFileName().toString()).findFirst();
    }

    private static Optional<String> read(Path p) {
        try {
            return Optional.of(Files.readString(p, StandardCharsets.UTF_8));
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty();
        }
    }

    /** Writes an existing kernel file (never creates one: a missing file is a missing device, said as such). */
    private static void write(Path p, String value) {
        try {
            Files.writeString(p, value + "\n", StandardCharsets.UTF_8, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + value + " to " + p + ": " + e.getMessage(), e);
        }
    }

    private static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            ds.forEach(out::add);
        } catch (IOException e) {
            return List.of();
        }
        out.sort(Comparator.comparing(p -> p.getFileName().toString()));
        return out;
    }
}
