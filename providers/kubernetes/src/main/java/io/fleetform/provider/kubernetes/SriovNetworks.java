package io.fleetform.provider.kubernetes;

import static io.fleetform.provider.kubernetes.Manifests.map;

import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.model.Idc;
import io.fleetform.engine.model.Sriov;
import io.fleetform.engine.net.Cidr;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * SR-IOV on a cluster, pure like {@link Manifests}. Where the cluster runs the SR-IOV Network Operator (it serves
 * its CRDs), Fleetform writes the operator's objects in the operator's namespace: one
 * {@code SriovNetworkNodePolicy} per IDC (the PFs and their VF count on the IDC's nodes, by the IDC node label,
 * exposing the device-plugin resource {@code <prefix>/ff_<fleet>_<idc>}) and one {@code SriovNetwork} per IDC and
 * VF setting (vlan, spoofchk, trust, rates), from which the operator makes the NetworkAttachmentDefinition in the
 * fleet's namespace. Elsewhere a NetworkAttachmentDefinition per service, for Multus and an SR-IOV device plugin
 * configured by hand. Either way the interface's IPAM comes from the IDC's {@code ip_pool}.
 */
final class SriovNetworks {
    private SriovNetworks() {
    }

    /**
     * The IPAM of an IDC's SR-IOV interfaces: whereabouts over the IDC's {@code ip_pool} (its allocations are
     * cluster-wide, so no two pods on any nodes get one address, which host-local per node would not promise),
     * the pool's first address as the gateway and never handed out, as on hosts. No route is added: the pod's
     * default route stays on its pod network. Without an {@code ip_pool}, none ({@code {}}): the interface gets
     * no address.
     */
    static Map<String, Object> ipam(Idc idc) {
        if (idc.ipPool().isEmpty()) {
            return Map.of();
        }
        String pool = idc.ipPool().get();
        String[] parts = pool.split("/");
        int length = Integer.parseInt(parts[1]);
        long mask = length == 0 ? 0 : (0xFFFFFFFFL << (32 - length)) & 0xFFFFFFFFL;
        String gateway = Cidr.format((Cidr.parseAddress(parts[0]) & mask) + 1);
        Map<String, Object> ipam = new LinkedHashMap<>();
        ipam.put("type", "whereabouts");
        ipam.put("range", pool);
        ipam.put("gateway", gateway);
        ipam.put("exclude", List.of(gateway + "/32"));
        return ipam;
    }

    /** The device-plugin resource name the IDC's policy exposes ({@code [A-Za-z0-9_]}, the operator's rule). */
    static String resourceName(Fleet fleet, Idc idc) {
        return ("ff_" + fleet.name() + "_" + idc.name()).replaceAll("[^A-Za-z0-9_]", "_");
    }

    static String policyName(Fleet fleet, Idc idc) {
        return Manifests.dns(fleet.name() + "-" + idc.name());
    }

    /** The policy's spec: the PFs, their VF count, and the nodes of the IDC. */
    static Map<String, Object> policySpec(Fleet fleet, Idc idc, Settings settings) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("resourceName", resourceName(fleet, idc));
        spec.put("nodeSelector", new TreeMap<>(Map.of(settings.idcLabel(), idc.name())));
        spec.put("numVfs", settings.sriovNumVfs());
        spec.put("nicSelector", map("pfNames", settings.sriovPfNames()));
        spec.put("deviceType", "netdevice");
        return spec;
    }

    /**
     * The SriovNetwork of an IDC and VF setting: named by the IDC and vlan, with a short hash of the other
     * settings when they are not the defaults, so services that want the same VF share one.
     */
    static String networkName(Fleet fleet, Idc idc, Sriov sriov) {
        String base = fleet.name() + "-" + idc.name() + "-vlan" + sriov.vlan().orElse(0);
        boolean defaults = sriov.spoofCheck() && !sriov.trust() && sriov.minRateBytesPerSecond() == 0
                && sriov.maxRateBytesPerSecond() == 0 && sriov.mac().isEmpty();
        String name = Manifests.dns(base);
        if (!defaults) {
            String key = sriov.spoofCheck() + "/" + sriov.trust() + "/" + sriov.minRateBytesPerSecond() + "/"
                    + sriov.maxRateBytesPerSecond() + "/" + sriov.mac().isPresent();
            String hash = Integer.toHexString(key.hashCode() & 0xfffffff);
            name = Manifests.dns((name.length() > 54 ? name.substring(0, 54) : name) + "-" + hash);
        }
        return name;
    }

    static Map<String, Object> networkSpec(Fleet fleet, Idc idc, Sriov sriov, String fleetNamespace) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("resourceName", resourceName(fleet, idc));
        spec.put("networkNamespace", fleetNamespace);
        spec.put("vlan", (long) sriov.vlan().orElse(0));
        spec.put("spoofChk", sriov.spoofCheck() ? "on" : "off");
        spec.put("trust", sriov.trust() ? "on" : "off");
        if (sriov.minRateBytesPerSecond() > 0) {
            spec.put("minTxRate", sriov.minRateBytesPerSecond() * 8 / 1_000_000); // Mbps
        }
        if (sriov.maxRateBytesPerSecond() > 0) {
            spec.put("maxTxRate", sriov.maxRateBytesPerSecond() * 8 / 1_000_000);
        }
        if (sriov.mac().isPresent()) {
            spec.put("capabilities", "{\"mac\": true}"); // the pod's network selection sets it
        }
        spec.put("ipam", Json.write(ipam(idc)));
        return spec;
    }

    /**
     * The pod's {@code k8s.v1.cni.cncf.io/networks}: the network's name, or a selection element when the
     * interface has a MAC of its own.
     */
    static String podNetworks(String network, String namespace, Optional<String> mac) {
        if (mac.isEmpty()) {
            return network;
        }
        return Json.write(List.of(map("name", network, "namespace", namespace, "mac", mac.get())));
    }
}
