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

    // Written out (here and in Disk, EnvVar, IoLimits, Lifecycle, Network): the generated equals runs through
    // method handles, which the short commands' JIT (C1 alone) does not inline, and the parts of 200,000
    // services are compared with the previous zone's (Shared): a tenth of building them went there.
    @Override
    public boolean equals(Object other) {
        return other instanceof Cpu o && o.millicores == millicores && o.pinned == pinned;
    }
}
