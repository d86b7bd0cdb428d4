package io.fleetform.cli.render.plan;

import io.fleetform.engine.plan.PolicyResult;
import java.util.List;

/** The policy results under a plan in the terminal: deny rules first, each with where it is written. */
public final class PolicyText {
    private PolicyText() {
    }

    public static String render(int rules, List<PolicyResult> results) {
        StringBuilder s = new StringBuilder("\n");
        long denied = results.stream().filter(r -> r.level() == PolicyResult.Level.DENY).count();
        long warned = results.size() - denied;
        if (results.isEmpty()) {
            return s.append("Policy: ").append(rules).append(rules == 1 ? " rule" : " rules")
                    .append(" checked, none fired.\n").toString();
        }
        s.append("Policy: ").append(count(denied, "denial")).append(", ").append(count(warned, "warning"))
                .append(" (").append(rules).append(rules == 1 ? " rule" : " rules").append(" checked):\n");
        for (PolicyResult.Level level : PolicyResult.Level.values()) {
            for (PolicyResult r : results) {
                if (r.level() == level) {
                    s.append("  ").append(level.word()).append(' ').append(r.rule()).append(": ").append(r.message())
                            .append(" (").append(r.location()).append(")\n");
                }
            }
        }
        return s.toString();
    }

    private static String count(long n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }
}
