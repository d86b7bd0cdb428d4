package io.fleetform.provider.host.agent;

/**
 * What removing a fleet's Docker network came to ({@code DELETE /v1/networks/{name}?owner=...}, and the network part
 * of a container removal).
 *
 * @param network the network's name
 * @param outcome {@code removed}; {@code absent} (no such network, or not Fleetform's or not this fleet's: nothing
 *                to do); {@code in_use} (an instance of the fleet still runs on it); {@code kept} (it could not be
 *                removed: {@code message} says why and what to do)
 */
public record NetworkRemoval(String network, String outcome, String message) {
    public static final String REMOVED = "removed";
    public static final String ABSENT = "absent";
    public static final String IN_USE = "in_use";
    public static final String KEPT = "kept";

    static NetworkRemoval removed(String network) {
        return new NetworkRemoval(network, REMOVED, "");
    }

    static NetworkRemoval absent(String network) {
        return new NetworkRemoval(network, ABSENT, "");
    }

    static NetworkRemoval inUse(String network) {
        return new NetworkRemoval(network, IN_USE, "");
    }

    static NetworkRemoval kept(String network, String message) {
        return new NetworkRemoval(network, KEPT, message);
    }

    /** Whether the network is still there although nothing of the fleet needs it any more. */
    public boolean kept() {
        return KEPT.equals(outcome);
    }
}
