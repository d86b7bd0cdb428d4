package io.fleetform.provider.host.placement;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides where instances run, against one snapshot of the hosts. Instances already placed
 * keep their place. New pinned instances take whole cores on one NUMA node, best fit (the node
 * left with the fewest free cores), so big holes stay for big instances; shared instances go to
 * the host with the most free memory. {@code spread} keeps a group's instances on different
 * hosts. When nothing fits, the result says which instance, which constraint, and the best
 * candidate.
 */
public final class PlacementPlanner {

    /** Placements, and a message per instance that could not be placed. */
    public record Result(Map<String, Placement> placements, Map<String, String> unplaced) {
    }

    public Result place(List<HostSnapshot> hosts, List<Demand> demands, Map<String, Placement> existing, IpPool ips) {
        Map<String, Placement> placements = new LinkedHashMap<>();
        Map<String, String> unplaced = new LinkedHashMap<>();
        Map<String, HostSnapshot> byName = new HashMap<>();
        hosts.forEach(h -> byName.put(h.host, h));
        Map<String, Set<String>> groupHosts = new HashMap<>();
        for (Placement p : existing.values()) {
            ips.markUsed(p.ip());
        }
        List<Demand> fresh = new ArrayList<>();
        for (Demand d : demands) {
            Placement kept = existing.get(d.address());
            if (kept != null && byName.containsKey(kept.host()) && d.allows(kept.host()) && fits(kept, d)) {
                placements.put(d.address(), kept);
                groupHosts.computeIfAbsent(d.group(), g -> new HashSet<>()).add(kept.host());
            } else {
                fresh.add(d);
            }
        }
        for (Demand d : fresh) {
            Set<String> taken = groupHosts.computeIfAbsent(d.group(), g -> new HashSet<>());
            Placement p = d.cores() > 0 ? pinned(hosts, d, taken) : shared(hosts, d, taken);
            if (p == null) {
                unplaced.put(d.address(), why(hosts, d, taken));
                continue;
            }
            String ip = d.ownIp() ? ips.take() : null;
            if (d.ownIp() && ip == null) {
                unplaced.put(d.address(), "the IDC's ip_pool has no free address left (" + ips.capacity()
                        + " addresses)");
                release(byName.get(p.host()), p, d);
                continue;
            }
            Placement withIp = new Placement(p.address(), p.host(), p.numaNode(), p.cores(), ip, p.vf(), p.ports());
            placements.put(d.address(), withIp);
            taken.add(p.host());
        }
        return new Result(placements, unplaced);
    }

    /**
     * An existing placement still fits when it holds as many cores and host ports as now wanted (a VF if wanted,
     * an IP of its own unless on the host's network).
     */
    private static boolean fits(Placement kept, Demand d) {
        int held = kept.cores() == null || kept.cores().isEmpty() ? 0 : count(kept.cores());
        return held == d.cores() && (!d.sriov() || kept.vf() != null) && kept.ports().size() == d.ports()
                && (kept.ip() != null) == d.ownIp();
    }

    private static int count(String cpulist) {
        return io.fleetform.provider.host.agent.CpuList.parse(cpulist).size();
    }

    private static Placement pinned(List<HostSnapshot> hosts, Demand d, Set<String> taken) {
        HostSnapshot bestHost = null;
        HostSnapshot.Node bestNode = null;
        for (HostSnapshot h : hosts) {
            if (!d.allows(h.host) || (d.spread() && taken.contains(h.host)) || h.freeDisk < d.diskBytes()
                    || (d.sriov() && h.freeVfs.isEmpty()) || h.freePorts.size() < d.ports()) {
                continue;
            }
            for (HostSnapshot.Node n : h.nodes) {
                int free = n.freeCores.cardinality();
                if (free >= d.cores() && n.freeMemory >= d.memoryBytes() && (!d.sriov() || h.hasVfOn(n.id))
                        && (bestNode == null || free < bestNode.freeCores.cardinality())) {
                    bestHost = h;
                    bestNode = n;
                }
            }
        }
        if (bestNode == null) {
            return null;
        }
        BitSet cores = new BitSet();
        int c = bestNode.freeCores.nextSetBit(0);
        for (int i = 0; i < d.cores(); i++, c = bestNode.freeCores.nextSetBit(c + 1)) {
            cores.set(c);
        }
        bestNode.freeCores.andNot(cores);
        bestNode.freeMemory -= d.memoryBytes();
        bestHost.freeMemory -= d.memoryBytes();
        bestHost.freeDisk -= d.diskBytes();
        String vf = d.sriov() ? bestHost.takeVf(bestNode.id) : null; // on the node of its cores
        return new Placement(d.address(), bestHost.host, bestNode.id, cpulist(cores), null, vf,
                bestHost.takePorts(d.ports()));
    }

    private static Placement shared(List<HostSnapshot> hosts, Demand d, Set<String> taken) {
        HostSnapshot best = null;
        for (HostSnapshot h : hosts) {
            if (!d.allows(h.host) || (d.spread() && taken.contains(h.host)) || h.freeMemory < d.memoryBytes()
                    || h.freeDisk < d.diskBytes() || (d.sriov() && h.freeVfs.isEmpty())
                    || h.freePorts.size() < d.ports()) {
                continue;
            }
            if (best == null || h.freeMemory > best.freeMemory) {
                best = h;
            }
        }
        if (best == null) {
            return null;
        }
        best.freeMemory -= d.memoryBytes();
        best.freeDisk -= d.diskBytes();
        String vf = d.sriov() ? best.takeVf(null) : null;
        return new Placement(d.address(), best.host, null, "", null, vf, best.takePorts(d.ports()));
    }

    private static void release(HostSnapshot h, Placement p, Demand d) {
        h.freeMemory += d.memoryBytes();
        h.freeDisk += d.diskBytes();
        if (p.vf() != null) {
            h.freeVfs.add(0, p.vf());
        }
        h.freePorts.addAll(p.ports());
        if (p.numaNode() != null) {
            for (HostSnapshot.Node n : h.nodes) {
                if (n.id == p.numaNode()) {
                    io.fleetform.provider.host.agent.CpuList.parse(p.cores()).forEach(n.freeCores::set);
                    n.freeMemory += d.memoryBytes();
                }
            }
        }
    }

    /** Which constraint failed, and the closest host, in words. */
    private static String why(List<HostSnapshot> hosts, Demand d, Set<String> taken) {
        if (hosts.isEmpty()) {
            return "the pool has no hosts";
        }
        String need = (d.cores() > 0 ? d.cores() + " pinned cores on one NUMA node, " : "") + (d.memoryBytes() >> 20)
                + "Mi memory" + (d.diskBytes() > 0 ? ", " + (d.diskBytes() >> 20) + "Mi disk" : "")
                + (d.sriov() ? d.cores() > 0 ? ", a free SR-IOV VF on the NUMA node of its cores" : ", a free SR-IOV VF"
                : "") + (d.ports() > 0 ? ", " + d.ports() + " free host ports" : "") + (d.spread() ? ", a host without another instance of "
                + d.group() : "") + (d.hosts().isEmpty() ? "" : ", one of the hosts of its IDC module "
                + new java.util.TreeSet<>(d.hosts()));
        HostSnapshot best = null;
        long bestScore = Long.MIN_VALUE;
        for (HostSnapshot h : hosts) {
            if (!d.allows(h.host)) {
                continue;
            }
            long cores = h.nodes.stream().mapToLong(n -> n.freeCores.cardinality()).max().orElse(0);
            long score = (d.spread() && taken.contains(h.host) ? -1_000_000_000L : 0) + cores * 1_000_000
                    + (h.freeMemory >> 20);
            if (score > bestScore) {
                bestScore = score;
                best = h;
            }
        }
        return "needs " + need + (best == null ? "; none of those hosts is in the pool"
                : "; the best candidate is " + best.describe(d.ports() > 0));
    }

    private static String cpulist(BitSet cores) {
        List<Integer> list = new ArrayList<>();
        cores.stream().forEach(list::add);
        return io.fleetform.provider.host.agent.CpuList.format(list);
    }
}
