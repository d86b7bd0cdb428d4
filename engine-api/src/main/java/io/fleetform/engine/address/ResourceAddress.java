package io.fleetform.engine.address;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The stable, human-readable name of a resource: {@code zone.s12.service.logic[0]},
 * {@code image.gamesvr}. Plans, state, {@code --target}, {@code state mv} and pull-request
 * comments all speak addresses.
 */
public record ResourceAddress(String value) implements Comparable<ResourceAddress> {

    public ResourceAddress {
        if (value == null || value.isBlank() || value.contains(" ")) {
            throw new IllegalArgumentException("invalid resource address: \"" + value + "\"");
        }
    }

    @JsonCreator
    public static ResourceAddress of(String value) {
        return new ResourceAddress(value);
    }

    /** The zone an address belongs to ({@code s12} for {@code zone.s12.service.logic[0]}), or empty text. */
    public String zone() {
        if (!value.startsWith("zone.")) {
            return "";
        }
        int end = value.indexOf('.', 5);
        return end < 0 ? value.substring(5) : value.substring(5, end);
    }

    /** True for this address and everything under it: {@code zone.s1} contains {@code zone.s1.service.x[0]}. */
    public boolean contains(ResourceAddress other) {
        return other.value.equals(value) || other.value.startsWith(value + ".") || other.value.startsWith(value + "[");
    }

    /** This address with a prefix replaced, for {@code moved} and {@code state mv}. */
    public ResourceAddress moved(ResourceAddress from, ResourceAddress to) {
        return contains(this) && from.contains(this) ? new ResourceAddress(to.value + value.substring(from.value.length()))
                : this;
    }

    @JsonValue
    @Override
    public String value() {
        return value;
    }

    @Override
    public int compareTo(ResourceAddress other) {
        return value.compareTo(other.value);
    }

    // Written out, with the values a record's generated methods give (31 * h + the next component's
    // hash): the generated ones are linked through ObjectMethods at their first call, a method-handle
    // tree that cost every apply's start a few per cent of its main thread.
    @Override
    public boolean equals(Object o) {
        return o instanceof ResourceAddress other && value.equals(other.value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return value;
    }
}
