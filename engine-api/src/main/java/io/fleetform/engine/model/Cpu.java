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
}
