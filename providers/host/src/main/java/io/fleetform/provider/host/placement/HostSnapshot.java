package io.fleetform.provider.host.placement;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * One host as placement sees it: free cores per NUMA node, free memory per node and in all,
 * free disk, free virtual functions. Mutable while one plan places instances; never shared.
 */
public final class HostSnapshot {

    /** A NUMA node's free cores and memory. */
    public static final class Node {
        final int id;
        final BitSet freeCores;
        long freeMemory;

        public Node(int id, BitSet freeCores, long freeMemory) {
            this.id = id;
            this.freeCores = freeCores;
            this.freeMemory = freeMemory;
        }

        public int id() {
            return id;
        }

        public int freeCoreCount() {
            return freeCores.cardinality();
        }

        public long freeMemory() {
            return freeMemory;
        }
    }

    final String host;
    final List<Node> nodes;
    long freeMemory;
    long freeDisk;
    final List<String> freeVfs;
    /** Host ports of the host's range no instance holds, lowest first. */
    final java.util.TreeSet<Integer> freePorts;

    public HostSnapshot(String host, List<Node> nodes, long freeMemory, long freeDisk, List<String> freeVfs) {
        this(host, nodes, freeMemory, freeDisk, freeVfs, java.util.Set.of());
    }

    public HostSnapshot(String host, List<Node> nodes, long freeMemory, long freeDisk, List<String> freeVfs,
                        java.util.Set<Integer> freePorts) {
        this.host = host;
        this.nodes = List.copyOf(nodes);
        this.freeMemory = freeMemory;
        this.freeDisk = freeDisk;
        this.freeVfs = new ArrayList<>(freeVfs);
        this.freePorts = new java.util.TreeSet<>(freePorts);
    }

    /** The NUMA node of each VF the host has, by PCI address (absent: the kernel reports none). */
    private final java.util.Map<String, Integer> vfNuma = new java.util.HashMap<>();

    /** Says which NUMA node each VF is on, so an instance's VF is taken from its cores' node. */
    public HostSnapshot vfNumaNodes(java.util.Map<String, Integer> byPci) {
        byPci.forEach((pci, node) -> {
            if (node != null) {
                vfNuma.put(pci, node);
            }
        });
        return this;
    }

    /** Whether a free VF is on {@code node} (a VF whose node the kernel does not say is on every node). */
    boolean hasVfOn(int node) {
        return freeVfs.stream().anyMatch(v -> vfNuma.getOrDefault(v, node) == node);
    }

    /** Takes the first free VF on {@code node} (any node when null); null when there is none. */
    String takeVf(Integer node) {
        for (int i = 0; i < freeVfs.size(); i++) {
            String v = freeVfs.get(i);
            if (node == null || vfNuma.getOrDefault(v, node).equals(node)) {
                return freeVfs.remove(i);
            }
        }
        return null;
    }

    /** Takes the {@code n} lowest free ports. */
    List<Integer> takePorts(int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(freePorts.pollFirst());
        }
        return out;
    }

    public String host() {
        return host;
    }

    public List<Node> nodes() {
        return nodes;
    }

    public long freeMemory() {
        return freeMemory;
    }

    public long freeDisk() {
        return freeDisk;
    }

    private String vfsByNode() {
        if (vfNuma.isEmpty() || freeVfs.isEmpty()) {
            return "";
        }
        java.util.TreeMap<Integer, Integer> count = new java.util.TreeMap<>();
        nodes.forEach(n -> count.put(n.id, 0));
        freeVfs.forEach(v -> {
            Integer node = vfNuma.get(v);
            if (node != null) {
                count.merge(node, 1, Integer::sum);
            }
        });
        StringBuilder b = new StringBuilder(" (");
        count.forEach((node, c) -> b.append(b.length() > 2 ? ", " : "").append("node ").append(node).append(": ")
                .append(c));
        return b.append(")").toString();
    }

    /** In words, for "nothing fits" messages. */
    String describe(boolean ports) {
        StringBuilder s = new StringBuilder(host).append(" (");
        for (Node n : nodes) {
            s.append("node ").append(n.id).append(": ").append(n.freeCoreCount()).append(" free cores, ")
                    .append(n.freeMemory >> 20).append("Mi; ");
        }
        return s.append(freeMemory >> 20).append("Mi memory, ").append(freeDisk >> 20).append("Mi disk, ")
                .append(freeVfs.size()).append(" free VFs").append(vfsByNode())
                .append(ports ? ", " + freePorts.size() + " free host ports" : "").append(")").toString();
    }
}
