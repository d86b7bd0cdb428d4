package io.fleetform.provider.host.agent;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Answer to a successful claim.
 *
 * @param status     {@code claimed} (new), {@code changed} (the instance's previous allocation was replaced) or
 *                   {@code unchanged} (the same allocation was claimed again)
 * @param allocation what the instance now holds
 * @param revision   the ledger's revision after the claim
 */
public record ClaimResult(Status status, Allocation allocation, long revision) {
    /** Outcome of a claim. */
    public enum Status {
        CLAIMED, CHANGED, UNCHANGED;

        @JsonValue
        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Status of(String s) {
            return valueOf(s.toUpperCase(Locale.ROOT));
        }
    }
}
