package io.fleetform.engine.eval;

import io.fleetform.dsl.diag.Diagnostics;
import io.fleetform.engine.model.HostPool;
import io.fleetform.engine.model.Idc;
import io.fleetform.engine.model.NetworkMode;
import io.fleetform.engine.model.Service;
import io.fleetform.engine.model.TargetRef;
import io.fleetform.engine.model.Zone;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Network modes that the target of a service's IDC cannot give, refused where the service is
 * written, so {@code validate} says so without asking any infrastructure:
 * <ul>
 *   <li>{@code overlay} on hosts: a Docker overlay network needs a swarm, and bridging it instead
 *       would give the game a network it did not ask for;</li>
 *   <li>{@code underlay} on a cluster: it is an IP on the hosts' own L2 network, which pods do not have;</li>
 *   <li>{@code underlay} on hosts without {@code underlay_interface}: the macvlan needs its parent;</li>
 *   <li>{@code underlay} next to bridge or sriov services in one hosts IDC: a fleet's instances of an IDC
 *       share one Docker network with the IDC's {@code ip_pool} as its subnet (Docker holds a subnet in
 *       one network per host), which is either the fleet's bridge or the macvlan on the hosts' L2;</li>
 *   <li>an IDC's {@code routes} where they would not be set: on a cluster, or next to bridge or sriov
 *       services (only underlay instances get them);</li>
 *   <li>{@code agent_bridge} on a cluster (it is the host agent's own Linux bridge), or next to a service of
 *       another mode that needs the IDC's {@code ip_pool} (the agent's bridge holds the pool's gateway address on
 *       the host, which a Docker network or an underlay of the same subnet would hold too).</li>
 * </ul>
 */
final class NetworkTargets {
    private NetworkTargets() {
    }

    static void check(Iterable<Zone> zones, Map<String, Idc> idcs, Map<String, HostPool> pools,
                      Diagnostics diagnostics) {
        Map<String, Service> underlayByIdc = new LinkedHashMap<>();
        Map<String, Service> bridgedByIdc = new LinkedHashMap<>();
        Map<String, Service> agentBridgedByIdc = new LinkedHashMap<>();
        for (Zone zone : zones) {
            Idc idc = idcs.get(zone.idc());
            if (idc == null) {
                continue;
            }
            boolean hosts = idc.target().kind() == TargetRef.Kind.HOSTS;
            HostPool pool = hosts ? pools.get(idc.target().name()) : null;
            for (Service s : zone.services()) {
                NetworkMode mode = s.network().mode();
                if (hosts && mode == NetworkMode.OVERLAY) {
                    diagnostics.error("overlay-on-hosts", s.span(), "service " + s.address() + " asks for network"
                            + " = overlay, which hosts \"" + idc.target().name() + "\" cannot give (a Docker overlay"
                            + " network needs a swarm)", "use network = bridge (its own IP on the fleet's bridge,"
                            + " ports published), network = underlay or network = host, or place the zone on a"
                            + " kubernetes target");
                } else if (!hosts && mode == NetworkMode.UNDERLAY) {
                    diagnostics.error("underlay-on-cluster", s.span(), "service " + s.address() + " asks for"
                            + " network = underlay, an IP on the hosts' own network, which cluster \""
                            + idc.target().name() + "\" does not give its pods", "use network = bridge (the pod"
                            + " network), host or sriov, or place the zone on a hosts target");
                } else if (hosts && mode == NetworkMode.UNDERLAY) {
                    if (pool != null && pool.underlayInterface().isEmpty()) {
                        diagnostics.error("underlay-needs-interface", s.span(), "service " + s.address()
                                + " asks for network = underlay, but hosts \"" + pool.name() + "\" names no"
                                + " underlay_interface", "say which host interface is on idc " + idc.name()
                                + "'s network: hosts \"" + pool.name() + "\" { underlay_interface = \"bond0\" }");
                    }
                    underlayByIdc.putIfAbsent(idc.name(), s);
                } else if (hosts && (mode == NetworkMode.BRIDGE || mode == NetworkMode.SRIOV)) {
                    bridgedByIdc.putIfAbsent(idc.name(), s);
                } else if (!hosts && mode == NetworkMode.AGENT_BRIDGE) {
                    diagnostics.error("agent-bridge-on-cluster", s.span(), "service " + s.address() + " asks for"
                            + " network = agent_bridge, a Linux bridge of the host agent's own, which cluster \""
                            + idc.target().name() + "\" does not have", "use network = bridge (the pod network), or"
                            + " place the zone on a hosts target");
                } else if (hosts && mode == NetworkMode.AGENT_BRIDGE) {
                    agentBridgedByIdc.putIfAbsent(idc.name(), s); // its ports are published by the agent's DNAT rules
                }
            }
        }
        for (Idc idc : idcs.values()) {
            if (idc.routes().isEmpty()) {
                continue;
            }
            Service bridged = bridgedByIdc.getOrDefault(idc.name(), agentBridgedByIdc.get(idc.name()));
            if (idc.target().kind() != TargetRef.Kind.HOSTS) {
                diagnostics.error("routes-not-underlay", idc.span(), "idc \"" + idc.name() + "\" has routes, which"
                        + " Fleetform sets on underlay instances on hosts, and it runs on cluster \""
                        + idc.target().name() + "\"", "remove routes, or place the IDC on a hosts target");
            } else if (bridged != null) {
                diagnostics.error("routes-not-underlay", idc.span(), "idc \"" + idc.name() + "\" has routes, which"
                        + " Fleetform sets on underlay instances only, and service " + bridged.address() + " there is"
                        + " network = " + bridged.network().mode().name().toLowerCase(java.util.Locale.ROOT),
                        "remove routes, or make the IDC's services network = underlay");
            }
        }
        agentBridgedByIdc.forEach((idc, agent) -> {
            Service other = bridgedByIdc.containsKey(idc) ? bridgedByIdc.get(idc) : underlayByIdc.get(idc);
            if (other != null) {
                diagnostics.error("agent-bridge-with-other", agent.span(), "service " + agent.address()
                        + " asks for network = agent_bridge and service " + other.address() + " for network = "
                        + other.network().mode().name().toLowerCase(java.util.Locale.ROOT) + ", both in idc " + idc
                        + ": the IDC's ip_pool is on one network per host, the agent's bridge or the other",
                        "give the IDC's services one of them (network = host needs no IP), or put them in another"
                                + " idc; " + other.address() + " is at " + other.span().location());
            }
        });
        underlayByIdc.forEach((idc, underlay) -> {
            Service bridged = bridgedByIdc.get(idc);
            if (bridged != null) {
                diagnostics.error("underlay-with-bridge", underlay.span(), "service " + underlay.address()
                        + " asks for network = underlay and service " + bridged.address() + " for network = "
                        + bridged.network().mode().name().toLowerCase(java.util.Locale.ROOT) + ", both in idc " + idc
                        + ": the IDC's ip_pool is either the hosts' own network or the fleet's Docker bridge",
                        "give the IDC's services one of them (network = host needs no IP), or put them in"
                                + " another idc; " + bridged.address() + " is at " + bridged.span().location());
            }
        });
    }
}
