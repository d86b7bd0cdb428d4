package io.fleetform.cli.render.plan;

import io.fleetform.engine.policy.PolicyResult;
import java.util.ArrayList;
import java.util.List;

/** Policy results in Markdown: what a deny rule said under a caution, warnings under a warning. */
public final class PolicyMarkdown {
    private PolicyMarkdown() {
    }

    /** The callouts' items, deny first: {@code > - **deny** `rule`: message (file:line:col)}. */
    static List<String> items(List<PolicyResult> results, PolicyResult.Level level) {
        List<String> items = new ArrayList<>();
        for (PolicyResult r : results) {
            if (r.level() == level) {
                items.add("> - **" + level.word() + "** " + MarkdownText.code(r.rule()) + ": "
                        + MarkdownText.text(r.message()) + " (" + MarkdownText.code(r.location()) + ")\n");
            }
        }
        return items;
    }

    static final String DENIED = "> [!CAUTION]\n> **The policy denies this change; it cannot be applied as it is:**\n>\n";
    static final String DENIED_MORE = "> [!CAUTION]\n> **The policy denies this change (continued):**\n>\n";
    static final String WARNED = "> [!WARNING]\n> **Policy warnings:**\n>\n";
    static final String WARNED_MORE = "> [!WARNING]\n> **Policy warnings (continued):**\n>\n";

    /** The whole section, for the short comment of {@code plan --markdown}; empty when no rule was checked. */
    public static String section(int rules, List<PolicyResult> results) {
        if (rules == 0) {
            return "";
        }
        if (results.isEmpty()) {
            return "\nPolicy: " + rules + (rules == 1 ? " rule" : " rules") + " checked, none fired.\n";
        }
        StringBuilder s = new StringBuilder("\n");
        List<String> denied = items(results, PolicyResult.Level.DENY);
        List<String> warned = items(results, PolicyResult.Level.WARN);
        if (!denied.isEmpty()) {
            s.append(DENIED).append(String.join("", denied)).append('\n');
        }
        if (!warned.isEmpty()) {
            s.append(WARNED).append(String.join("", warned)).append('\n');
        }
        return s.toString();
    }
}
