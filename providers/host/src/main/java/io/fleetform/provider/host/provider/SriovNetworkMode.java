package io.fleetform.provider.host.provider;

import io.fleetform.engine.model.IrqBinding;
import io.fleetform.engine.model.Service;
import io.fleetform.engine.model.Sriov;
import io.fleetform.provider.host.agent.ContainerInfo;
import io.fleetform.provider.host.agent.HostFacts;
import io.fleetform.provider.host.placement.IpPool;
import io.fleetform.provider.host.placement.Placement;
import io.fleetform.provider.sriov.IpLink;
import io.fleetform.provider.sriov.SriovSpec;
import io.fleetform.provider.sriov.VfLive;
import io.fleetform.provider.sriov.VfSettings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code network = sriov} on hosts: the instance's network is the VF its allocation holds (on the NUMA node of its
 * cores), moved into its container by the agent with the instance's IP from the IDC's {@code ip_pool}, the pool's
 * gateway as default route and the service's MTU; Docker gives it no network of its own ({@code none}). The plan
 * shows the PF, the VF's PCI address, the cores its IRQs go to, its settings and its link; refresh reads them back
 * from the agent, so a change made by hand shows as drift and apply puts it back in place.
 */
final class SriovNetworkMode {
    static final String PF = "sriov_pf";
    static final String IRQ_CORES = "irq_cores";
    static final String SETTINGS = "vf_settings";
    static final String LINK = "vf_link";
    static final String RPS = "rps";
    /** The VF's netdev inside the container. */
    static final String IFNAME = "eth0";
    private static final String ANY = "any (irq = any)";

    private SriovNetworkMode() {
    }

    /** The NUMA node of each VF of a host, by PCI address. */
    static Map<String, Integer> vfNumaNodes(HostFacts facts) {
        Map<String, Integer> out = new HashMap<>();
        if (facts == null) {
            return out;
        }
        for (HostFacts.Nic n : facts.nics()) {
            if (n.sriov() != null) {
                n.sriov().vfs().forEach(v -> out.put(v.pciAddress(), v.numaNode() != null ? v.numaNode() : n.numaNode()));
            }
        }
        return out;
    }

    /** The instance's SR-IOV attributes, added to the common ones (which it changes: no Docker network, no ports). */
    static void attributes(Map<String, Object> a, Service s, Placement p, String ipPool, HostFacts host) {
        Sriov v = s.network().sriov().orElseThrow();
        a.put("network", "none");
        a.put("subnet", ipPool);
        a.remove("ports");
        if (p.vf() == null) {
            return;
        }
        a.put(PF, pf(host, p.vf()));
        a.put(IRQ_CORES, v.irq() == IrqBinding.LOCAL && p.cores() != null && !p.cores().isEmpty() ? p.cores() : ANY);
        a.put(SETTINGS, settingsMap(settings(v)));
        a.put(LINK, link(p.ip() + "/" + prefix(ipPool), v.mtu(), IpPool.gateway(ipPool)));
        a.put(RPS, v.rps() ? "on" : "off");
        Map<String, Object> endpoints = new TreeMap<>();
        s.ports().forEach((name, port) -> endpoints.put(name, p.ip() + ":" + port)); // players reach the VF's IP
        if (!endpoints.isEmpty()) {
            a.put("endpoints", endpoints);
        }
    }

    /** What the agent is asked for, from the instance's attributes; null when it is not an SR-IOV instance. */
    @SuppressWarnings("unchecked")
    static SriovSpec spec(Map<String, Object> a) {
        if (!"sriov".equals(a.get("network_mode")) || a.get("vf") == null) {
            return null;
        }
        Map<String, Object> m = (Map<String, Object>) a.get(SETTINGS);
        VfSettings settings = new VfSettings(((Number) m.get("vlan")).intValue(), ((Number) m.get("qos")).intValue(),
                (String) m.get("mac"), Boolean.TRUE.equals(m.get("spoofchk")), Boolean.TRUE.equals(m.get("trust")),
                ((Number) m.get("min_tx_rate_mbps")).longValue(), ((Number) m.get("max_tx_rate_mbps")).longValue(),
                (String) m.get("link_state"));
        String[] link = String.valueOf(a.get(LINK)).split(" ");
        // "eth0 10.1.0.5/24 mtu 1500 via 10.1.0.1"
        String cidr = link[1];
        int mtu = Integer.parseInt(link[3]);
        String gateway = link.length >= 6 ? link[5] : null;
        return new SriovSpec((String) a.get("vf"), settings, link[0], cidr, gateway, mtu,
                !ANY.equals(a.get(IRQ_CORES)), "on".equals(a.get(RPS)));
    }

    /** What refresh reads back of the VF: its settings, its link in the container, where its IRQs go. */
    static void readBack(Map<String, Object> now, ContainerInfo c) {
        VfLive live = c.sriov();
        if (live == null || !"sriov".equals(now.get("network_mode"))) {
            return;
        }
        if (live.settings() != null) {
            now.put(SETTINGS, settingsMap(live.settings()));
        }
        IpLink.Link l = live.link();
        now.put(LINK, l == null ? "not in the container" : l.name() + " " + (l.addresses().isEmpty() ? "no-address"
                : String.join(",", l.addresses())) + " mtu " + l.mtu() + (l.defaultVia() == null ? "" : " via "
                + l.defaultVia()));
        if (!ANY.equals(now.get(IRQ_CORES)) && !live.irqAffinity().isEmpty()) {
            now.put(IRQ_CORES, live.irqsBanned() ? live.irqCores() : live.irqCores() + " (irqbalance not told)");
        }
        if (live.pf() != null) {
            now.put(PF, live.pf());
        }
        if ("on".equals(now.get(RPS)) && now.get("cores") instanceof String cores && !cores.isEmpty()
                && !live.rps().isEmpty()) {
            java.util.SortedSet<Integer> want = io.fleetform.provider.sriov.CpuSet.parse(cores);
            java.util.Set<String> off = new java.util.TreeSet<>();
            live.rps().forEach((queue, mask) -> {
                if (!io.fleetform.provider.sriov.CpuSet.fromMask(mask).equals(want)) {
                    off.add(queue + " " + mask);
                }
            });
            if (!off.isEmpty()) { // changed by hand: drift, put back in place
                now.put(RPS, "on, but rps_cpus " + String.join(", ", off) + " is not cores " + cores);
            }
        }
    }

    static VfSettings settings(Sriov v) {
        return new VfSettings(v.vlan().orElse(0), v.vlan().isPresent() ? v.qos() : 0, v.mac().orElse(null),
                v.spoofCheck(), v.trust(), mbps(v.minRateBytesPerSecond()), mbps(v.maxRateBytesPerSecond()),
                v.linkState());
    }

    /** ip link's rates are Mbit/s; a rate below one is one, not none. */
    private static long mbps(long bytesPerSecond) {
        return bytesPerSecond <= 0 ? 0 : Math.max(1, bytesPerSecond * 8 / 1_000_000);
    }

    static Map<String, Object> settingsMap(VfSettings s) {
        Map<String, Object> m = new TreeMap<>();
        m.put("vlan", s.vlan());
        m.put("qos", s.qos());
        m.put("mac", s.mac());
        m.put("spoofchk", s.spoofCheck());
        m.put("trust", s.trust());
        m.put("min_tx_rate_mbps", s.minTxMbps());
        m.put("max_tx_rate_mbps", s.maxTxMbps());
        m.put("link_state", s.linkState());
        return m;
    }

    private static String link(String cidr, int mtu, String gateway) {
        return IFNAME + " " + cidr + " mtu " + mtu + (gateway == null ? "" : " via " + gateway);
    }

    private static int prefix(String cidr) {
        return Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1));
    }

    private static String pf(HostFacts host, String vf) {
        if (host != null) {
            for (HostFacts.Nic n : host.nics()) {
                if (n.sriov() != null && n.sriov().vfs().stream().anyMatch(v -> v.pciAddress().equalsIgnoreCase(vf))) {
                    return n.name();
                }
            }
        }
        return "unknown";
    }

    /** The attributes an SR-IOV instance adds, for {@code ignore_changes = [network]}. */
    static final List<String> IGNORABLE = List.of(PF, IRQ_CORES, SETTINGS, LINK, RPS);
}
