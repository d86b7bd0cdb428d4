package io.fleetform.engine.plan;

/** What a plan does to one resource. */
public enum Action {
    CREATE("+", "create"),
    UPDATE("~", "update in place"),
    /**
     * An update that would take fields another writer owns (a Kubernetes field manager): the
     * plan names the owner and apply leaves the resource alone, unless planned with
     * {@code --force-conflicts}, which makes it a {@link #TAKE_OVER}.
     */
    CONFLICT("!", "conflict"),
    /** An update that takes fields over from their current owner, as asked with {@code --force-conflicts}. */
    TAKE_OVER("~!", "update in place, taking fields over"),
    REPLACE("-/+", "replace"),
    DELETE("-", "destroy"),
    /** Removed from the state but left in place (a namespace that still holds what is not this fleet's). */
    FORGET(".", "forget"),
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

    /** Whether apply carries it out: a conflict is shown, not attempted; no change is nothing to do. */
    public boolean isApplied() {
        return this != NO_OP && this != CONFLICT;
    }
}
