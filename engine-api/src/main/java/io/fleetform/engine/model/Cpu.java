package io.fleetform.engine.model;

/** CPU in millicores; pinned means exclusive whole cores on one NUMA node. */
public record Cpu(long millicores, boolean pinned) {
    public long wholeCores() {
        return millicores / 1000;
    }

    @Override
    public String toString() {
        String amount = millicores % 1000 == 0 ? (millicores / 1000) + (millicores == 1000 ? " core" : " cores")
                : millicores + "m";
        return pinned ? amount + " pinned" : amount;
    }

    // equals and hashCode by hand, as a record's own would be (the same components, the same hash): the
    // record's are made at run time on first use, ~1 ms of a short command's start each (RecordMethodsTest).
    @Override
    public boolean equals(Object other) {
        return other == this || other instanceof Cpu o && millicores == o.millicores && pinned == o.pinned;
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Long.hashCode(millicores);
        h = 31 * h + Boolean.hashCode(pinned);
        return h;
    }
}
