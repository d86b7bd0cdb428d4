package io.fleetform.cli.render.plan;

import io.fleetform.engine.plan.Action;
import io.fleetform.engine.plan.Drift;
import io.fleetform.engine.plan.Plan;
import io.fleetform.engine.plan.PlanMode;
import io.fleetform.engine.plan.ResourceChange;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A plan as a pull-request comment. A reviewer sees, in this order: the title, a table of
 * counts and the {@link PlanSummary} line, a warning listing every resource that will be
 * destroyed or replaced, the plan's warnings, then the details per zone, folded in
 * {@code <details>} blocks as {@code diff} code (so GitHub colours additions green and
 * destruction red, and {@code !} updates orange), changes found outside Fleetform and outputs.
 *
 * <p>GitHub refuses comments over 65,536 characters, so the comment is never longer than
 * {@link #MAX_LENGTH}. When the plan does not fit, details are left out from the end, whole
 * resources at a time and with every block closed, and a closing note says how many were left
 * out and how to see them: {@code fleetform show --plan FILE} when the plan was saved, otherwise
 * how to save it (a note never points at a plan file that does not exist). The title, counts and destructive list come first and
 * so are kept; only if the destructive list alone would not fit is it cut, with a line saying
 * how many more there are.
 */
public final class PlanMarkdown {
    public static final int MAX_LENGTH = 65_000;
    /** Room kept for the closing note, which is never longer than this. */
    private static final int NOTE_ROOM = 600;
    /** Room kept for the "…and N more" line of a list. */
    private static final int MORE_ROOM = 120;
    private static final String CLOSE_CODE = "```\n\n</details>\n\n";

    private final Plan plan;
    private final String planFile;
    private final String policy;
    private final ChangeLines lines;
    private final StringBuilder out = new StringBuilder(MAX_LENGTH + NOTE_ROOM);
    private final List<String> leftOut = new ArrayList<>();

    private PlanMarkdown(Plan plan, String planFile, String policy) {
        this.plan = plan;
        this.planFile = planFile;
        this.policy = policy;
        this.lines = new ChangeLines(Style.PLAIN, ValueFormat.SHORT, PlanMarkdown::symbol, plan.rollout());
    }

    /** A comment for a plan that was not saved. */
    public static String render(Plan plan) {
        return render(plan, null);
    }

    /** @param planFile where the plan was saved ({@code plan -out}), or null if it was not */
    public static String render(Plan plan, String planFile) {
        return render(plan, planFile, "");
    }

    /**
     * With the policy results ({@link PolicyMarkdown#section}, at most {@link PolicyMarkdown#MAX_SECTION}
     * characters) right after the counts.
     */
    public static String render(Plan plan, String planFile, String policy) {
        return new PlanMarkdown(plan, planFile, policy).write();
    }

    /** How a reader sees what a cut comment left out. */
    private String seeTheRest() {
        return planFile != null ? "run `fleetform show --plan " + planFile.replace("`", "") + "` to see "
                : "the plan was not saved: run `fleetform plan -out FILE`, then `fleetform show --plan FILE`, to see ";
    }

    private String write() {
        out.append("### Fleetform ").append(PlanSummary.kind(plan)).append(" for fleet ")
                .append(MarkdownText.code(plan.fleet())).append("\n\n");
        plan.provenance().ifPresent(p -> {
            out.append("From ").append(MarkdownText.text(p.describe())).append(".\n\n");
            if (p.dirty()) {
                out.append("> [!WARNING]\n> Made from a working tree with uncommitted changes to the fleet's files: "
                        + "no commit holds what this plan was made from.\n\n");
            }
        });
        table();
        out.append("**").append(PlanSummary.line(plan)).append("**\n\n");
        out.append(policy);
        List<ResourceChange> shown = new ArrayList<>();
        if (plan.mode() != PlanMode.REFRESH_ONLY) {
            for (ResourceChange c : plan.changes()) {
                if (c.action() != Action.NO_OP) {
                    shown.add(c);
                }
            }
        }
        List<ZoneGroups.Group> groups = ZoneGroups.of(shown);
        destructive(groups);
        restarts(groups);
        warnings();
        details(groups, shown.size());
        drift();
        outputs();
        if (!leftOut.isEmpty()) {
            out.append("> [!NOTE]\n> This comment was cut short to stay under ")
                    .append(String.format(Locale.ROOT, "%,d", MAX_LENGTH)).append(" characters: ")
                    .append(joinWords(leftOut))
                    .append(" were left out; ").append(seeTheRest()).append("the rest.\n");
        }
        // Every block ends with a blank line to separate it from the next; the last needs none.
        if (out.length() >= 2 && out.charAt(out.length() - 1) == '\n' && out.charAt(out.length() - 2) == '\n') {
            out.setLength(out.length() - 1);
        }
        return out.toString();
    }

    private void table() {
        if (plan.mode() == PlanMode.REFRESH_ONLY) {
            out.append("| Changes outside Fleetform |\n| ---: |\n| ").append(plan.drift().size()).append(" |\n\n");
            return;
        }
        out.append("| To add | To change | To replace | To destroy |\n| ---: | ---: | ---: | ---: |\n| ")
                .append(plan.count(Action.CREATE)).append(" | ").append(plan.count(Action.UPDATE)).append(" | ")
                .append(plan.count(Action.REPLACE)).append(" | ").append(plan.count(Action.DELETE)).append(" |\n\n");
    }

    private void destructive(List<ZoneGroups.Group> groups) {
        List<ResourceChange> destructive = new ArrayList<>();
        for (ZoneGroups.Group g : groups) {
            for (ResourceChange c : g.changes()) {
                if (c.action().isDestructive()) {
                    destructive.add(c);
                }
            }
        }
        if (destructive.isEmpty()) {
            return;
        }
        out.append("> [!WARNING]\n> **Destructive changes: ").append(counts(destructive)).append(".**\n>\n");
        StringBuilder item = new StringBuilder();
        for (int i = 0; i < destructive.size(); i++) {
            ResourceChange c = destructive.get(i);
            item.setLength(0);
            item.append("> - **").append(c.action() == Action.REPLACE ? "replace" : "destroy").append("** ")
                    .append(MarkdownText.code(c.address().value())).append(" (").append(MarkdownText.text(c.type()))
                    .append(')');
            if (c.reason() != null && !c.reason().isBlank()) {
                item.append(": ").append(MarkdownText.text(c.reason()));
            }
            item.append(MarkdownText.text(lines.rolloutTag(c)));
            item.append('\n');
            if (!fits(item.length() + MORE_ROOM)) {
                out.append("> - …and ").append(destructive.size() - i).append(" more; ").append(seeTheRest())
                        .append("them all.\n");
                break;
            }
            out.append(item);
        }
        out.append('\n');
    }

    /** In-place changes that restart what they change (a host instance recreated): its players are disconnected. */
    private void restarts(List<ZoneGroups.Group> groups) {
        List<ResourceChange> restarts = new ArrayList<>();
        for (ZoneGroups.Group g : groups) {
            for (ResourceChange c : g.changes()) {
                if (c.action() == Action.UPDATE && c.reason() != null && c.reason().startsWith(ChangeLines.OUTCOME)) {
                    restarts.add(c);
                }
            }
        }
        if (restarts.isEmpty()) {
            return;
        }
        out.append("> [!CAUTION]\n> **Restarts: ").append(restarts.size())
                .append(" changed in place with a restart (players on them are disconnected).**\n>\n");
        StringBuilder item = new StringBuilder();
        for (int i = 0; i < restarts.size(); i++) {
            ResourceChange c = restarts.get(i);
            item.setLength(0);
            item.append("> - ").append(MarkdownText.code(c.address().value())).append(' ')
                    .append(MarkdownText.text(c.reason())).append('\n');
            if (!fits(item.length() + MORE_ROOM)) {
                out.append("> - …and ").append(restarts.size() - i).append(" more; ").append(seeTheRest())
                        .append("them all.\n");
                break;
            }
            out.append(item);
        }
        out.append('\n');
    }

    private void warnings() {
        List<String> warnings = plan.warnings();
        if (warnings.isEmpty()) {
            return;
        }
        out.append("**Warnings:**\n\n");
        for (int i = 0; i < warnings.size(); i++) {
            String item = "- " + MarkdownText.text(warnings.get(i)) + "\n";
            if (!fits(item.length() + MORE_ROOM)) {
                out.append("- …and ").append(warnings.size() - i).append(" more warnings\n");
                break;
            }
            out.append(item);
        }
        out.append('\n');
    }

    private void details(List<ZoneGroups.Group> groups, int total) {
        int written = 0;
        StringBuilder block = new StringBuilder();
        groups:
        for (ZoneGroups.Group g : groups) {
            String summary = (g.zone().isEmpty() ? "Fleet-wide" : "Zone " + g.zone()) + ": " + counts(g.changes());
            String open = "<details><summary>" + MarkdownText.html(summary) + "</summary>\n\n```diff\n";
            boolean opened = false;
            for (ResourceChange c : g.changes()) {
                block.setLength(0);
                lines.resource(block, "", c);
                if (!fits((opened ? 0 : open.length()) + block.length() + CLOSE_CODE.length())) {
                    if (opened) {
                        out.append(CLOSE_CODE);
                    }
                    break groups;
                }
                if (!opened) {
                    out.append(open);
                    opened = true;
                }
                out.append(block);
                written++;
            }
            out.append(CLOSE_CODE);
        }
        if (written < total) {
            leftOut.add("the details of " + (total - written) + " of " + total + " changed resources");
        }
    }

    private void drift() {
        List<Drift> drift = plan.drift();
        if (drift.isEmpty()) {
            return;
        }
        // In a refresh-only plan this is the whole point, so it is unfolded.
        String open = "<details" + (plan.mode() == PlanMode.REFRESH_ONLY ? " open" : "")
                + "><summary>Changes outside Fleetform: " + drift.size() + "</summary>\n\n```diff\n";
        int written = 0;
        StringBuilder block = new StringBuilder();
        for (Drift d : drift) {
            block.setLength(0);
            lines.drift(block, "", d);
            if (!fits((written == 0 ? open.length() : 0) + block.length() + CLOSE_CODE.length())) {
                break;
            }
            out.append(written == 0 ? open : "").append(block);
            written++;
        }
        if (written > 0) {
            out.append(CLOSE_CODE);
        }
        if (written < drift.size()) {
            leftOut.add((drift.size() - written) + " of " + drift.size() + " changes outside Fleetform");
        }
    }

    private void outputs() {
        Map<String, String> outputs = new TreeMap<>(plan.outputs());
        if (outputs.isEmpty()) {
            return;
        }
        String open = "<details><summary>Outputs after apply: " + outputs.size() + "</summary>\n\n```\n";
        int written = 0;
        for (Map.Entry<String, String> e : outputs.entrySet()) {
            String line = ChangeLines.oneLine(e.getKey()) + " = " + ChangeLines.oneLine(e.getValue()) + "\n";
            if (!fits((written == 0 ? open.length() : 0) + line.length() + CLOSE_CODE.length())) {
                break;
            }
            out.append(written == 0 ? open : "").append(line);
            written++;
        }
        if (written > 0) {
            out.append(CLOSE_CODE);
        }
        if (written < outputs.size()) {
            leftOut.add((outputs.size() - written) + " of " + outputs.size() + " outputs");
        }
    }

    /** True if {@code more} characters can be added and still leave room for the closing note. */
    private boolean fits(int more) {
        return out.length() + more + NOTE_ROOM <= MAX_LENGTH;
    }

    /** "1 to add, 2 to destroy": the non-zero counts, in summary-line order. */
    private static String counts(List<ResourceChange> changes) {
        long[] n = new long[Action.values().length];
        changes.forEach(c -> n[c.action().ordinal()]++);
        List<String> parts = new ArrayList<>();
        String[] words = {"to add", "to change", "to take fields over", "to replace", "to destroy",
            "in conflict (left alone)", "to leave in place"};
        Action[] actions = {Action.CREATE, Action.UPDATE, Action.TAKE_OVER, Action.REPLACE, Action.DELETE,
            Action.CONFLICT, Action.FORGET};
        for (int i = 0; i < actions.length; i++) {
            if (n[actions[i].ordinal()] > 0) {
                parts.add(n[actions[i].ordinal()] + " " + words[i]);
            }
        }
        return String.join(", ", parts);
    }

    private static String joinWords(List<String> parts) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        return String.join(", ", parts.subList(0, parts.size() - 1)) + " and " + parts.get(parts.size() - 1);
    }

    /**
     * Left-aligned, since a diff block colours a line by its first character; updates get
     * {@code !}, which GitHub shows as changed, where the terminal's {@code ~} would be plain.
     */
    private static String symbol(Action action) {
        String s = action == Action.UPDATE ? "!" : action.symbol;
        return s + " ".repeat(3 - s.length());
    }
}
