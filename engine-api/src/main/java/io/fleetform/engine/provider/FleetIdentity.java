package io.fleetform.engine.provider;

import java.util.Objects;

/**
 * Who owns an object: the fleet's name and its state's lineage. Every object a provider makes
 * carries {@link #id()} (labels, ledger keys), and providers read, change and delete only objects
 * that carry their own. The name alone is not enough (two copies of a fleet folder with their own
 * states are two owners); the lineage alone is not readable.
 */
public record FleetIdentity(String fleet, String lineage) {
    public FleetIdentity {
        Objects.requireNonNull(fleet, "fleet");
        Objects.requireNonNull(lineage, "lineage");
    }

    /**
     * {@code <fleet>.<first 12 hex digits of the lineage>}, e.g. {@code mt2.3f2a9c1e0b7d}: short enough
     * for a label value and a container name, unique enough for the fleets of one agent pool.
     */
    public String id() {
        String hex = lineage.replace("-", "");
        return fleet + "." + (hex.length() > 12 ? hex.substring(0, 12) : hex);
    }

    @Override
    public String toString() {
        return id();
    }
}
