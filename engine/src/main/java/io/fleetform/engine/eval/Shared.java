package io.fleetform.engine.eval;

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
}
