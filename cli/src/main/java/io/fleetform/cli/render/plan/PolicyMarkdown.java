package io.fleetform.cli.render.plan;

import io.fleetform.engine.plan.PolicyResult;
import java.util.ArrayList;
import java.util.List;

/** Policy results in Markdown: what a deny rule said under a caution, warnings under a warning. */
public final class PolicyMarkdown {
    private PolicyMarkdown() {
    }

    /**
     * The most of one message an item shows. A rule's message is the policy author's text and may
     * be as long as a join over every change; cut here, every rule that fired still has its item
     * and place in the comment (a denied plan is not saved, so no item may point to the plan file).
     */
    public static final int MAX_MESSAGE = 2_000;

    /** The callouts' items, deny first: {@code > - **deny** `rule`: message (file:line:col)}. */
    static List<String> items(List<PolicyResult> results, PolicyResult.Level level) {
        List<String> items = new ArrayList<>();
        for (PolicyResult r : results) {
            if (r.level() == level) {
                items.add("> - **" + level.word() + "** " + MarkdownText.code(r.rule()) + ": "
                        + MarkdownText.text(shortened(r.message())) + " (" + MarkdownText.code(r.location()) + ")\n");
            }
        }
        return items;
    }

    private static String shortened(String message) {
        if (message.length() <= MAX_MESSAGE) {
            return message;
        }
        int end = MAX_MESSAGE;
        if (Character.isHighSurrogate(message.charAt(end - 1))) {
            end--;
        }
        return message.substring(0, end) + "… (" + (message.length() - end) + " more characters; the command's "
                + "output and the plan's JSON have the whole message)";
    }

    static final String DENIED = "> [!CAUTION]\n> **The policy denies this change; it cannot be applied as it is:**\n>\n";
    static final String DENIED_MORE = "> [!CAUTION]\n> **The policy denies this change (continued):**\n>\n";
    static final String WARNED = "> [!WARNING]\n> **Policy warnings:**\n>\n";
    static final String WARNED_MORE = "> [!WARNING]\n> **Policy warnings (continued):**\n>\n";

    /** The most {@link #section} writes: the short comment of {@code plan --markdown} has room for the plan too. */
    public static final int MAX_SECTION = 12_000;

    /**
     * The whole section, for the short comment of {@code plan --markdown}; empty when no rule was
     * checked. Denials first; past {@link #MAX_SECTION} characters a line says how many more there
     * are (the command's output lists them all; {@code pr-plan} splits its comment instead).
     */
    public static String section(int rules, List<PolicyResult> results) {
        if (rules == 0) {
            return "";
        }
        if (results.isEmpty()) {
            return "Policy: " + rules + (rules == 1 ? " rule" : " rules") + " checked, none fired.\n\n";
        }
        StringBuilder s = new StringBuilder();
        int room = MAX_SECTION - 2 * DENIED.length() - 200;
        for (PolicyResult.Level level : PolicyResult.Level.values()) {
            List<String> items = items(results, level);
            if (items.isEmpty()) {
                continue;
            }
            s.append(level == PolicyResult.Level.DENY ? DENIED : WARNED);
            for (int i = 0; i < items.size(); i++) {
                if (s.length() + items.get(i).length() > room) {
                    s.append("> - …and ").append(items.size() - i).append(" more ").append(level.word())
                            .append(" results; the command's output lists them all\n");
                    break;
                }
                s.append(items.get(i));
            }
            s.append('\n');
        }
        return s.toString();
    }
}
