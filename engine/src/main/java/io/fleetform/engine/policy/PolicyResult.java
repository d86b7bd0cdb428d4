package io.fleetform.engine.policy;

/**
 * One rule that fired: its name, whether it denies the change or warns about it, the message it
 * gave, and where the rule is written ({@code policies/arena.policy:3:1}).
 */
public record PolicyResult(String rule, Level level, String message, String location) {
    /** A deny rule fails the plan (plan and pr-plan exit 1, apply refuses); a warn rule is shown. */
    public enum Level {
        DENY, WARN;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
