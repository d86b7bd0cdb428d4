package io.fleetform.provider.host.provider;

import io.fleetform.engine.text.Digests;
import io.fleetform.provider.host.agent.HostFacts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The name of a fleet's Docker network for one IDC: {@code ff-<fleet>-<idc>-<hash>}, the hash (64 bits) of the
 * fleet's identity and the IDC. A network is one fleet's (the agent labels it with the identity, joins only its
 * instances to it and removes it with its last one), so its name carries the identity: two fleets of the same name
 * (two copies of a fleet folder, each with its own state) or whose names join alike ({@code a-b} with IDC {@code c},
 * {@code a} with IDC {@code b-c}) each get their own on one Docker Engine. Should two names still meet, the agent
 * refuses to join a network labelled with another fleet's identity, and the plan says so first. Docker network names
 * have no length limit that matters here (the bridge's interface is named after the network's id).
 *
 * <p>A network made by an earlier Fleetform keeps its name: {@code ff-<fleet>-<idc>}, or that plus a hash of the
 * fleet's name and IDC when either had a dash. On a host where such a network carries this fleet's identity, the
 * fleet's instances stay on it, so an upgrade recreates no container.
 */
public final class NetworkNames {
    private NetworkNames() {
    }

    /** The name of a new network of the fleet {@code identity} (named {@code fleet}) for its IDC {@code idc}. */
    public static String of(String fleet, String idc, String identity) {
        return legacy(fleet, idc) + "-" + Digests.sha256Hex(identity + "\u0000" + idc).substring(0, 16);
    }

    /** The name before names carried the fleet's identity (unambiguous for the fleet's name and IDC only). */
    public static String beforeIdentities(String fleet, String idc) {
        String joined = legacy(fleet, idc);
        if (fleet.indexOf('-') < 0 && idc.indexOf('-') < 0) {
            return joined;
        }
        return joined + "-" + Digests.sha256Hex(fleet + "\u0000" + idc).substring(0, 8);
    }

    /** The first name, ambiguous once a name has a dash. */
    static String legacy(String fleet, String idc) {
        return "ff-" + fleet + "-" + idc;
    }

    /** The names an earlier Fleetform gave the network, the one {@code recorded} first when it is one of them. */
    private static List<String> older(String fleet, String idc, Object recorded) {
        List<String> out = new ArrayList<>(List.of(legacy(fleet, idc)));
        if (!out.contains(beforeIdentities(fleet, idc))) {
            out.add(beforeIdentities(fleet, idc));
        }
        if (recorded != null && out.remove(recorded.toString())) {
            out.add(0, recorded.toString());
        }
        return out;
    }

    /**
     * The name the fleet's instances of {@code idc} use on the host {@code facts} describes: an older one when that
     * host has a Fleetform network of that name with this fleet's identity (or one without an identity, made before
     * identities, that the instance's state records), or when the Engine's networks are unknown and the instance's
     * state on the same host records it; else {@link #of}.
     *
     * @param prior the instance's recorded attributes when it stays on that host, else null
     */
    static String onHost(String fleet, String idc, String identity, HostFacts facts, Map<String, Object> prior) {
        Object recorded = prior == null ? null : prior.get("network");
        List<String> older = older(fleet, idc, recorded);
        HostFacts.DockerFacts docker = facts == null ? null : facts.docker();
        if (docker == null || !docker.reachable()) {
            return recorded != null && older.contains(recorded.toString()) ? recorded.toString()
                    : of(fleet, idc, identity);
        }
        for (String name : older) {
            for (HostFacts.DockerNetwork n : docker.networks()) {
                if (n.name().equals(name) && n.managed()
                        && (identity.equals(n.fleet()) || n.fleet() == null && name.equals(recorded))) {
                    return name;
                }
            }
        }
        return of(fleet, idc, identity);
    }

    /** Whether {@code n} is a network of the fleet's instances of {@code idc}, under any of its names: its label says. */
    static boolean isOurs(HostFacts.DockerNetwork n, String fleet, String idc, String identity) {
        return n.managed() && identity.equals(n.fleet())
                && (n.name().equals(of(fleet, idc, identity)) || older(fleet, idc, null).contains(n.name()));
    }

    /**
     * Whether {@code n} is a Fleetform network of an older name of the fleet's IDC made before networks carried an
     * identity: perhaps this fleet's (its instances' state says), never another identity's.
     */
    static boolean fromBeforeIdentities(HostFacts.DockerNetwork n, String fleet, String idc) {
        return n.managed() && n.fleet() == null && older(fleet, idc, null).contains(n.name());
    }
}
