package io.fleetform.engine.plan;

import java.util.Objects;
import java.util.Optional;

/**
 * One policy rule that fired: its name, whether it denies the change or warns about it, the
 * message it gave, the resource it fired on (a rule over {@code for_each plan.changes as c};
 * empty for a rule about the plan as a whole), and where the rule is written.
 *
 * @param file   the policy file as given to {@code --policy} ({@code policies/arena.policy})
 * @param line   the rule's line, from 1
 * @param column the rule's column, from 1
 */
public record PolicyResult(String rule, Level level, String message, Optional<String> address, String file, int line,
                           int column) {
    /** A deny rule fails the plan (plan and pr-plan exit 1, apply refuses); a warn rule is shown. */
    public enum Level {
        DENY, WARN;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public PolicyResult {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(file, "file");
    }

    /** {@code policies/arena.policy:3:1}, the form every message uses. */
    public String location() {
        return file + ":" + line + ":" + column;
    }
}
