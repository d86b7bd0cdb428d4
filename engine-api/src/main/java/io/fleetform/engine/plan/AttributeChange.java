package io.fleetform.engine.plan;

/**
 * One attribute's change. Values are the plan's own (sensitive ones as hashes, shown as
 * "(sensitive)" by every renderer). {@code before}/{@code after} are null when absent.
 */
public record AttributeChange(String name, Object before, Object after, boolean sensitive, boolean forcesReplacement) {
}
