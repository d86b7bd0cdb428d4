package io.fleetform.provider.host.agent;

import io.fleetform.provider.host.agent.HostFacts.CpuFacts;
import io.fleetform.provider.host.agent.HostFacts.DiskFacts;
import io.fleetform.provider.host.agent.HostFacts.Irq;
import io.fleetform.provider.host.agent.HostFacts.LxcfsFacts;
import io.fleetform.provider.host.agent.HostFacts.MemoryFacts;
import io.fleetform.provider.host.agent.HostFacts.Nic;
import io.fleetform.provider.host.agent.HostFacts.NumaNode;
import io.fleetform.provider.host.agent.HostFacts.Sriov;
import io.fleetform.provider.host.agent.HostFacts.Vf;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads host topology from sysfs/procfs under a configurable root, so tests can point it at a fixture tree.
 * Block-device resolution for the data directory always uses the real {@code /sys}, because the data
 * directory is a real directory on the real host.
 */
public final class FactsReader {
    private static final Pattern NODE_DIR = Pattern.compile("node([0-9]+)");
    private static final Pattern VIRTFN = Pattern.compile("virtfn([0-9]+)");
    private static final Pattern PCI_ADDRESS = Pattern.compile("[0-9a-fA-F]{4,}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]");

    private final Path root;

    public FactsReader(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** The topology part of the facts: everything that does not need Docker or the data directory. */
    public Topology topology() {
        SortedSet<Integer> online = onlineCpus();
        return new Topology(hostname(), new CpuFacts(CpuList.format(online), online.size()), online, numaNodes(),
                memory(), nics(), irqs());
    }

    /** Topology as read, plus the sets the ledger needs. */
    public record Topology(String hostname, CpuFacts cpus, SortedSet<Integer> onlineCpus, List<NumaNode> numaNodes,
                           MemoryFacts memory, List<Nic> nics, List<Irq> irqs) {
        /** All VFs on the host, by PCI address. */
        public Map<String, Vf> vfsByPci() {
            Map<String, Vf> out = new HashMap<>();
            for (Nic n : nics) {
                if (n.sriov() != null) {
                    for (Vf vf : n.sriov().vfs()) {
                        out.put(vf.pciAddress(), vf);
                    }
                }
            }
            return out;
        }
    }

    SortedSet<Integer> onlineCpus() {
        return CpuList.parse(read("sys/devices/system/cpu/online")
                .orElseThrow(() -> new UncheckedIOException(new NoSuchFileException(
                        root.resolve("sys/devices/system/cpu/online").toString(), null,
                        "cannot read the online CPUs"))));
    }

    /**
     * The host's VFs by PCI address, as {@link Topology#vfsByPci()} has them, reading only the SR-IOV PFs: a claim
     * needs these, and reading every interface (one veth per container) and the IRQs on every claim grew with
     * the host's containers.
     */
    Map<String, Vf> vfsByPci() {
        Map<String, Vf> out = new HashMap<>();
        for (Path p : list(root.resolve("sys/class/net"))) {
            Path dev = p.resolve("device");
            if (!Files.isDirectory(dev) || Files.exists(dev.resolve("physfn"))
                    || !Files.exists(dev.resolve("sriov_totalvfs"))) {
                continue;
            }
            Integer numa = readFile(dev.resolve("numa_node")).map(String::strip).flatMap(FactsReader::parseInt)
                    .filter(n -> n >= 0).orElse(null);
            for (Vf vf : vfs(p.getFileName().toString(), dev, numa)) {
                out.put(vf.pciAddress(), vf);
            }
        }
        return out;
    }

    String hostname() {
        return read("proc/sys/kernel/hostname").or(() -> read("etc/hostname")).map(String::strip)
                .filter(s -> !s.isEmpty()).orElse("localhost");
    }

    List<NumaNode> numaNodes() {
        Path dir = root.resolve("sys/devices/system/node");
        List<NumaNode> out = new ArrayList<>();
        for (Path p : list(dir)) {
            Matcher m = NODE_DIR.matcher(p.getFileName().toString());
            if (!m.matches() || !Files.isDirectory(p)) {
                continue;
            }
            int id = Integer.parseInt(m.group(1));
            SortedSet<Integer> cpus = CpuList.parse(readFile(p.resolve("cpulist")).orElse(""));
            Map<String, Long> mem = meminfo(readFile(p.resolve("meminfo")).orElse(""));
            out.add(new NumaNode(id, CpuList.format(cpus), cpus.size(), mem.getOrDefault("MemTotal", 0L),
                    mem.getOrDefault("MemFree", 0L)));
        }
        out.sort(Comparator.comparingInt(NumaNode::id));
        return out;
    }

    MemoryFacts memory() {
        Map<String, Long> mem = meminfo(read("proc/meminfo").orElse(""));
        long total = mem.getOrDefault("MemTotal", 0L);
        long avail = mem.getOrDefault("MemAvailable", mem.getOrDefault("MemFree", 0L));
        return new MemoryFacts(total, avail);
    }

    /**
     * Parses {@code /proc/meminfo} and {@code node*}{@code /meminfo} lines ("MemTotal:  123 kB" or
     * "Node 0 MemTotal:  123 kB") into bytes by key.
     */
    static Map<String, Long> meminfo(String text) {
        Map<String, Long> out = new HashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String[] keyParts = line.substring(0, colon).strip().split("\\s+");
            String key = keyParts[keyParts.length - 1];
            String[] v = line.substring(colon + 1).strip().split("\\s+");
            if (v.length == 0 || v[0].isEmpty()) {
                continue;
            }
            try {
                long n = Long.parseLong(v[0]);
                if (v.length > 1 && v[1].equalsIgnoreCase("kB")) {
                    n *= 1024;
                }
                out.put(key, n);
            } catch (NumberFormatException ignored) {
                // not a number: skip the line
            }
        }
        return out;
    }

    List<Nic> nics() {
        Path dir = root.resolve("sys/class/net");
        List<Nic> out = new ArrayList<>();
        for (Path p : list(dir)) {
            if (!Files.isDirectory(p)) {
                continue;
            }
            String name = p.getFileName().toString();
            Path dev = p.resolve("device");
            String mac = readFile(p.resolve("address")).map(String::strip).orElse(null);
            Integer mtu = readFile(p.resolve("mtu")).map(String::strip).flatMap(FactsReader::parseInt).orElse(null);
            String oper = readFile(p.resolve("operstate")).map(String::strip).orElse(null);
            Long speed = readFile(p.resolve("speed")).map(String::strip).flatMap(FactsReader::parseInt)
                    .filter(s -> s > 0).map(Integer::longValue).orElse(null);
            if (!Files.isDirectory(dev)) {
                out.add(new Nic(name, "virtual", mac, mtu, oper, speed, null, null, null, null));
                continue;
            }
            String pci = pciAddress(dev).orElse(null);
            Integer numa = readFile(dev.resolve("numa_node")).map(String::strip).flatMap(FactsReader::parseInt)
                    .filter(n -> n >= 0).orElse(null);
            if (Files.exists(dev.resolve("physfn"))) {
                String pf = pciAddress(dev.resolve("physfn")).orElse(null);
                out.add(new Nic(name, "sriov-vf", mac, mtu, oper, speed, pci, numa, null, pf));
                continue;
            }
            Optional<Integer> total = readFile(dev.resolve("sriov_totalvfs")).map(String::strip)
                    .flatMap(FactsReader::parseInt);
            if (total.isPresent()) {
                int num = readFile(dev.resolve("sriov_numvfs")).map(String::strip).flatMap(FactsReader::parseInt)
                        .orElse(0);
                out.add(new Nic(name, "sriov-pf", mac, mtu, oper, speed, pci, numa,
                        new Sriov(total.get(), num, vfs(name, dev, numa)), null));
            } else {
                out.add(new Nic(name, "physical", mac, mtu, oper, speed, pci, numa, null, null));
            }
        }
        out.sort(Comparator.comparing(Nic::name));
        return out;
    }

    private List<Vf> vfs(String pf, Path dev, Integer pfNuma) {
        List<Vf> out = new ArrayList<>();
        for (Path p : list(dev)) {
            Matcher m = VIRTFN.matcher(p.getFileName().toString());
            if (!m.matches()) {
                continue;
            }
            int index = Integer.parseInt(m.group(1));
            String pci = pciAddress(p).orElse(null);
            String netdev = list(p.resolve("net")).stream().map(x -> x.getFileName().toString()).sorted()
                    .findFirst().orElse(null);
            Integer numa = readFile(p.resolve("numa_node")).map(String::strip).flatMap(FactsReader::parseInt)
                    .filter(n -> n >= 0).orElse(pfNuma);
            out.add(new Vf(pf, index, pci, netdev, numa));
        }
        out.sort(Comparator.comparingInt(Vf::index));
        return out;
    }

    /**
     * A PCI device's address: from the symlink target ({@code virtfn0 -> ../0000:3b:02.0}) as in real sysfs,
     * else from {@code uevent}'s {@code PCI_SLOT_NAME} (fixture trees copied without symlinks).
     */
    private static Optional<String> pciAddress(Path devLink) {
        try {
            if (Files.isSymbolicLink(devLink)) {
                String target = Files.readSymbolicLink(devLink).getFileName().toString();
                if (PCI_ADDRESS.matcher(target).matches()) {
                    return Optional.of(target.toLowerCase());
                }
            }
            Path real = devLink.toRealPath();
            if (PCI_ADDRESS.matcher(real.getFileName().toString()).matches()) {
                return Optional.of(real.getFileName().toString().toLowerCase());
            }
        } catch (IOException ignored) {
            // fall back to uevent
        }
        return readFile(devLink.resolve("uevent")).flatMap(u -> u.lines()
                .filter(l -> l.startsWith("PCI_SLOT_NAME="))
                .map(l -> l.substring("PCI_SLOT_NAME=".length()).strip().toLowerCase()).findFirst());
    }

    List<Irq> irqs() {
        Map<Integer, String> names = new HashMap<>();
        read("proc/interrupts").ifPresent(text -> {
            String[] lines = text.split("\n");
            if (lines.length == 0) {
                return;
            }
            int cpuColumns = lines[0].strip().isEmpty() ? 0 : lines[0].strip().split("\\s+").length;
            for (int i = 1; i < lines.length; i++) {
                String line = lines[i].strip();
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                Optional<Integer> irq = parseInt(line.substring(0, colon));
                if (irq.isEmpty()) {
                    continue;
                }
                String[] t = line.substring(colon + 1).strip().split("\\s+");
                if (t.length > cpuColumns + 1) {
                    names.put(irq.get(), t[t.length - 1]);
                }
            }
        });
        List<Irq> out = new ArrayList<>();
        for (Path p : list(root.resolve("proc/irq"))) {
            Optional<Integer> n = parseInt(p.getFileName().toString());
            if (n.isEmpty() || !Files.isDirectory(p)) {
                continue;
            }
            String affinity = readFile(p.resolve("smp_affinity_list")).map(String::strip)
                    .map(a -> {
                        try {
                            return CpuList.canonical(a);
                        } catch (IllegalArgumentException e) {
                            return a;
                        }
                    }).orElse(null);
            out.add(new Irq(n.get(), affinity, names.get(n.get())));
        }
        out.sort(Comparator.comparingInt(Irq::irq));
        return out;
    }

    /** Whether lxcfs's proc files are present under this root. */
    public LxcfsFacts lxcfs() {
        Path p = root.resolve("var/lib/lxcfs/proc");
        return new LxcfsFacts(Files.isRegularFile(p.resolve("meminfo")), p.toString());
    }

    /** The filesystem holding {@code dataDir} and the whole-disk block device behind it (from the real /sys). */
    static DiskFacts disk(Path dataDir, DataQuota quota) {
        try {
            FileStore fs = Files.getFileStore(dataDir);
            Optional<BlockDevices.Device> dev = BlockDevices.forPath(dataDir);
            return new DiskFacts(dataDir.toString(), dev.map(BlockDevices.Device::path).orElse(null),
                    dev.map(BlockDevices.Device::majorMinor).orElse(null), fs.getTotalSpace(), fs.getUsableSpace(),
                    quota.unsupportedReason().orElse(null));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat the data directory " + dataDir, e);
        }
    }

    private Optional<String> read(String relative) {
        return readFile(root.resolve(relative));
    }

    private static Optional<String> readFile(Path p) {
        try {
            return Optional.of(Files.readString(p, StandardCharsets.UTF_8));
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty();
        }
    }

    private static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                out.add(p);
            }
        } catch (IOException e) {
            return List.of();
        }
        out.sort(Comparator.comparing(p -> p.getFileName().toString()));
        return out;
    }

    private static Optional<Integer> parseInt(String s) {
        try {
            return Optional.of(Integer.parseInt(s.strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
