package io.fleetform.provider.host.provider;

import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.model.HostPool;
import io.fleetform.engine.model.Idc;
import io.fleetform.engine.model.NetworkMode;
import io.fleetform.engine.model.Service;
import io.fleetform.engine.model.Zone;
import io.fleetform.provider.host.agent.HostFacts;
import io.fleetform.provider.host.agent.NetworkSpec;
import io.fleetform.provider.host.placement.IpPool;
import io.fleetform.provider.host.placement.Placement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code network = underlay} on hosts: the instance's own IP from the IDC's {@code ip_pool} on the hosts'
 * own L2 network, so a player's client or an ops {@code ssh} reaches it directly (the seeds' "IP per light
 * VM"). The agent puts it on a Docker macvlan network parented on the pool's {@code underlay_interface},
 * with the pool's subnet, the pool's gateway (its first address) as the default route, and the fixed IP
 * its ledger holds (claimed compare-and-set, so no two instances of any fleet on a host share one; the
 * planner keeps them apart across the IDC's hosts). The network is the fleet's IDC network
 * ({@code ff-<fleet>-<idc>}, labelled with the fleet's identity), made on first use and removed with its last
 * container. Nothing is published on the host: the instance's ports are its own, at its IP.
 */
final class UnderlayNetwork {
    /** The routes found in the container, of those asked for (the plan: all of them). */
    static final String ROUTES_SET = "routes_in_container";
    static final String MODE = "underlay";
    static final String DRIVER = "macvlan";

    private UnderlayNetwork() {
    }

    static boolean is(Service s) {
        return s.network().mode() == NetworkMode.UNDERLAY;
    }

    /** The hosts pool the zone's IDC runs on; the evaluator made sure it names its underlay interface. */
    static String parent(Fleet fleet, Zone zone) {
        Optional<HostPool> pool = fleet.idcs().stream().filter(i -> i.name().equals(zone.idc())).findFirst()
                .map(Idc::target).flatMap(t -> fleet.hostPools().stream().filter(p -> p.name().equals(t.name()))
                        .findFirst());
        return pool.flatMap(HostPool::underlayInterface).orElseThrow(() -> new IllegalStateException("zone "
                + zone.name() + " has underlay services but its hosts pool names no underlay_interface"));
    }

    /**
     * The plan's network attributes of an underlay instance: its IP, the macvlan's parent and gateway, and the IDC's
     * {@code routes} beside the default one.
     */
    static void describe(Map<String, Object> a, Fleet fleet, Zone zone, Service s, Placement p, String ipPool) {
        a.put("network_mode", MODE);
        a.put("ip", p.ip());
        a.put("network", InstanceSpecs.networkName(fleet, zone.idc()));
        a.put("subnet", ipPool);
        a.put("gateway", IpPool.gateway(ipPool));
        a.put("underlay_interface", parent(fleet, zone));
        List<String> routes = fleet.idc(zone.idc()).map(i -> i.routes().stream().map(Object::toString).toList())
                .orElse(List.of());
        if (!routes.isEmpty()) {
            a.put("routes", routes);
            a.put(ROUTES_SET, routes); // read back from the container: a route removed by hand is drift, set in place
        }
        Map<String, Object> endpoints = new TreeMap<>();
        s.ports().forEach((name, port) -> endpoints.put(name, p.ip() + ":" + port));
        if (!endpoints.isEmpty()) {
            a.put("endpoints", endpoints);
        }
    }

    /** {@code FLEETFORM_PORT_<NAME>}: the port the instance listens on at its own IP. */
    static void portEnv(Map<String, Object> env, Service s) {
        s.ports().forEach((name, port) -> env.put(InstanceSpecs.portEnv(name), Integer.toString(port)));
    }

    static boolean is(Map<String, Object> a) {
        return MODE.equals(a.get("network_mode"));
    }

    /** What the agent is asked for: the macvlan network and the instance's fixed IP on it. */
    static NetworkSpec spec(Map<String, Object> a) {
        String subnet = (String) a.get("subnet");
        return new NetworkSpec((String) a.get("network"), DRIVER, subnet,
                (String) a.getOrDefault("gateway", IpPool.gateway(subnet)), (String) a.get("underlay_interface"),
                (String) a.get("ip"), List.of(), routes(a));
    }

    @SuppressWarnings("unchecked")
    private static List<String> routes(Map<String, Object> a) {
        return a.get("routes") instanceof List<?> l ? ((List<Object>) l).stream().map(String::valueOf).toList()
                : List.of();
    }

    /** An imported container's network attributes. */
    static void imported(Map<String, Object> a, NetworkSpec n) {
        a.put("network_mode", MODE);
        if (!n.routes().isEmpty()) {
            a.put("routes", n.routes());
            a.put(ROUTES_SET, n.routes());
        }
        a.put("gateway", n.gateway());
        a.put("underlay_interface", n.parent());
    }

    /**
     * The macvlan's parent must be on the host the instance is placed on; said at plan time, since the
     * Engine would only refuse the network when apply creates it. Hosts whose facts list no interfaces
     * (a fixture root) are not judged.
     */
    static Optional<Diagnostic> missingParent(Service s, HostPool pool, String host, String parent, HostFacts facts) {
        if (facts == null || facts.nics().isEmpty()
                || facts.nics().stream().anyMatch(n -> n.name().equals(parent))) {
            return Optional.empty();
        }
        return Optional.of(Diagnostic.error("underlay-interface-missing", s.span(), "service " + s.address()
                + " is placed on host " + host + " of \"" + pool.name() + "\", which has no interface " + parent
                + " (underlay_interface) for its underlay network", "its interfaces: " + String.join(", ",
                facts.nics().stream().map(HostFacts.Nic::name).sorted().toList())));
    }
}
