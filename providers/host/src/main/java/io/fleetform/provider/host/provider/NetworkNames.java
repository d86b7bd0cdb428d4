package io.fleetform.provider.host.provider;

import io.fleetform.engine.text.Digests;
import io.fleetform.provider.host.agent.HostFacts;
import java.util.Map;

/**
 * The name of a fleet's Docker network for one IDC. {@code ff-<fleet>-<idc>} alone is ambiguous once a name has a
 * dash (fleet {@code a-b} with IDC {@code c} and fleet {@code a} with IDC {@code b-c} both join to {@code ff-a-b-c},
 * and the agent refuses the second fleet: two fleets never share a network), so a name with a dash in either part
 * gets a short hash of the exact parts. A name without one keeps exactly two dashes and a hashed name has at
 * least four, so the two kinds never meet. Docker network names have no length limit that matters here (the
 * bridge's interface is named after the network's id).
 *
 * <p>A network made by an earlier Fleetform under the ambiguous name keeps it: on a host where that name carries
 * this fleet's identity, the fleet's instances stay on it, so an upgrade recreates no container.
 */
public final class NetworkNames {
    private NetworkNames() {
    }

    /** The name of a new network of {@code fleet}'s IDC {@code idc}. */
    public static String of(String fleet, String idc) {
        String joined = legacy(fleet, idc);
        if (fleet.indexOf('-') < 0 && idc.indexOf('-') < 0) {
            return joined;
        }
        return joined + "-" + Digests.sha256Hex(fleet + "\u0000" + idc).substring(0, 8);
    }

    /** The name before names were unambiguous. */
    static String legacy(String fleet, String idc) {
        return "ff-" + fleet + "-" + idc;
    }

    /**
     * The name the fleet's instances of {@code idc} use on the host {@code facts} describes: the ambiguous one when
     * that host has a Fleetform network of that name with this fleet's identity (or one without an identity, made
     * before identities, that the instance's state records), or when the Engine's networks are unknown and the
     * instance's state on the same host records it; else {@link #of}.
     *
     * @param prior the instance's recorded attributes when it stays on that host, else null
     */
    static String onHost(String fleet, String idc, String identity, HostFacts facts, Map<String, Object> prior) {
        String name = of(fleet, idc);
        String legacy = legacy(fleet, idc);
        if (name.equals(legacy)) {
            return name;
        }
        boolean recorded = prior != null && legacy.equals(prior.get("network"));
        HostFacts.DockerFacts docker = facts == null ? null : facts.docker();
        if (docker == null || !docker.reachable()) {
            return recorded ? legacy : name;
        }
        for (HostFacts.DockerNetwork n : docker.networks()) {
            if (n.name().equals(legacy) && n.managed()
                    && (identity.equals(n.fleet()) || n.fleet() == null && recorded)) {
                return legacy;
            }
        }
        return name;
    }

    /** Whether {@code n} is the network the fleet's instances of {@code idc} join on its host: see {@link #onHost}. */
    static boolean isOurs(HostFacts.DockerNetwork n, String fleet, String idc, String identity) {
        return n.name().equals(of(fleet, idc)) || n.name().equals(legacy(fleet, idc)) && n.managed()
                && identity.equals(n.fleet());
    }

}
