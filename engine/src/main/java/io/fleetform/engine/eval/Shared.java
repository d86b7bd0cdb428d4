package io.fleetform.engine.eval;

import java.util.List;

/**
 * Equal immutable parts of the services (or zones) of one block, kept once: the zones of a
 * {@code zones} block are mostly alike (CPU, disk, IO, network from one template; often the same
 * ports, labels, lifecycle), and at 200,000 services the copies were what the garbage collector
 * spent its time on.
 *
 * <p>A part is compared with the same part of the block's previous zone, not looked up among all
 * parts ever built: a part that differs by zone ({@code ports = { game = 7000 + z.index }}) would
 * fill such a table with 200,000 entries that are never shared, and the lookups, each a miss in
 * the processor's cache, cost more than the copies they saved.
 */
final class Shared {
    /** What a service or zone is built of, each compared with its own kind. */
    enum Part {
        CPU, DISK, IO, NETWORK, PORTS, ENV, COMMAND, CONFIG, LIFECYCLE, HEALTH, TEMPLATE, MODULE, LABELS, ORIGIN
    }

    private final Object[] last = new Object[Part.values().length];

    /** The previous zone's equal part, or {@code value}, which the next zone is then compared with. */
    @SuppressWarnings("unchecked")
    <T> T of(Part part, T value) {
        Object previous = last[part.ordinal()];
        if (previous != null && previous.equals(value)) {
            return (T) previous;
        }
        last[part.ordinal()] = value;
        return value;
    }

    /**
     * {@link #of} for a list its caller has just made (and gives up): when it differs from the previous
     * zone's list ({@code env = { ZONE = z.name, ROLE = "game" }}), each element equal to the one in the
     * same place there is that one, so what repeats is still kept once.
     */
    @SuppressWarnings("unchecked")
    <T> List<T> ofEach(Part part, List<T> built) {
        Object previous = last[part.ordinal()];
        if (previous instanceof List<?> before) {
            if (before.equals(built)) {
                return (List<T>) before;
            }
            if (before.size() == built.size()) {
                for (int i = 0; i < built.size(); i++) {
                    if (before.get(i).equals(built.get(i))) {
                        built.set(i, (T) before.get(i));
                    }
                }
            }
        }
        List<T> copy = List.copyOf(built);
        last[part.ordinal()] = copy;
        return copy;
    }

    /** The previous zone's part, or null: what an equal element of a part that differs is taken from. */
    Object previous(Part part) {
        return last[part.ordinal()];
    }
}
