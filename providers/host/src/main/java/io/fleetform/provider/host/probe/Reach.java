package io.fleetform.provider.host.probe;

/**
 * Where a {@code tcp} or {@code http} probe connects from, to the container's address {@code host}.
 * The agent's own network namespace reaches a container on a bridge (the host is the bridge's gateway)
 * and one on the host's network (loopback). It cannot reach one on an underlay (a macvlan's parent never
 * reaches its macvlan children) nor one whose network is an SR-IOV VF (its IP lives only in the
 * container's namespace): those are probed from inside the container's network namespace.
 */
public sealed interface Reach {
    String host();

    /** From the agent's network namespace. */
    record Direct(String host) implements Reach {
    }

    /** From inside the network namespace of the probed container (its IP, as a client next to the server). */
    record ContainerNetns(String host) implements Reach {
    }
}
