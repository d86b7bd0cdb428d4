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

    /** In words, for "nothing fits" messages. */
    String describe(boolean ports) {
        StringBuilder s = new StringBuilder(host).append(" (");
        for (Node n : nodes) {
            s.append("node ").append(n.id).append(": ").append(n.freeCoreCount()).append(" free cores, ")
                    .append(n.freeMemory >> 20).append("Mi; ");
        }
        return s.append(freeMemory >> 20).append("Mi memory, ").append(freeDisk >> 20).append("Mi disk, ")
                .append(freeVfs.size()).append(" free VFs")
                .append(ports ? ", " + freePorts.size() + " free host ports" : "").append(")").toString();
    }
}
