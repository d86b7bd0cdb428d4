package io.fleetform.engine.plan;

/** What a plan does to one resource. */
public enum Action {
    CREATE("+", "create"),
    UPDATE("~", "update in place"),
    REPLACE("-/+", "replace"),
    DELETE("-", "destroy"),
    NO_OP(" ", "no change");

    public final String symbol;
    public final String verb;

    Action(String symbol, String verb) {
        this.symbol = symbol;
        this.verb = verb;
    }

    public boolean isDestructive() {
        return this == DELETE || this == REPLACE;
    }
}
