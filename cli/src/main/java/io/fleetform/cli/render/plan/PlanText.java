package io.fleetform.cli.render.plan;

import io.fleetform.engine.plan.Action;
import io.fleetform.engine.plan.Drift;
import io.fleetform.engine.plan.Plan;
import io.fleetform.engine.plan.PlanMode;
import io.fleetform.engine.plan.ResourceChange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A plan for the terminal. What can lose data comes first: destroyed and replaced resources
 * in their own section before created and updated ones, each section grouped by zone
 * (see {@link ZoneGroups}); then changes found outside Fleetform, outputs, warnings, and the
 * {@link PlanSummary} line last, where the eye lands before answering "apply?".
 * Resources that do not change are not listed.
 */
public final class PlanText {
    private PlanText() {
    }

    /** @param colour ANSI colours; only for a terminal that wants them (never for a pipe or file) */
    public static String render(Plan plan, boolean colour) {
        Style style = Style.of(colour);
        ChangeLines lines = new ChangeLines(style, ValueFormat.FULL, PlanText::symbol, plan.rollout());
        // Roughly what a resource takes, so a 20,000-resource plan does not regrow the buffer much.
        StringBuilder out = new StringBuilder(256 + plan.changes().size() * 160);
        style.bold(out, "Fleetform " + PlanSummary.kind(plan) + " for fleet \"" + ChangeLines.oneLine(plan.fleet())
                + "\"").append('\n');
        plan.provenance().ifPresent(p -> {
            out.append("From ").append(ChangeLines.oneLine(p.describe())).append('\n');
            if (p.dirty()) {
                style.boldYellow(out, "Warning:").append(" made from a working tree with uncommitted changes to the "
                        + "fleet's files: commit ").append(p.commit(), 0, Math.min(12, p.commit().length()))
                        .append(" does not hold what this plan was made from\n");
            }
        });
        if (!plan.rollout().status().isEmpty()) {
            out.append("Rollout ").append(ChangeLines.oneLine(plan.rollout().rollout())).append(": ")
                    .append(ChangeLines.oneLine(plan.rollout().status())).append('\n');
        }
        if (!plan.rollout().unfinished().isEmpty()) {
            style.boldYellow(out, "Unfinished:").append(' ').append(plan.rollout().unfinished().size())
                    .append(" change(s) a rollout made or tried never became healthy; apply makes them again and "
                            + "waits for their stage's gate before any later stage").append('\n');
        }
        if (plan.mode() != PlanMode.REFRESH_ONLY) {
            List<ResourceChange> destructive = new ArrayList<>();
            List<ResourceChange> others = new ArrayList<>();
            for (ResourceChange c : plan.changes()) {
                if (c.action().isDestructive()) {
                    destructive.add(c);
                } else if (c.action() != Action.NO_OP) {
                    others.add(c);
                }
            }
            section(out, style, lines, sectionTitle(destructive, Action.DELETE, "Destroy", Action.REPLACE, "Replace"),
                    destructive);
            section(out, style, lines, sectionTitle(others, Action.CREATE, "Create", Action.UPDATE, "Update"), others);
        }
        if (!plan.drift().isEmpty()) {
            out.append('\n');
            style.bold(out, "Changes outside Fleetform (" + plan.drift().size() + "):").append('\n');
            for (Drift d : plan.drift()) {
                lines.drift(out, "", d);
            }
        }
        outputs(out, style, plan.outputs());
        if (!plan.warnings().isEmpty()) {
            out.append('\n');
            for (String warning : plan.warnings()) {
                style.boldYellow(out, "Warning:").append(' ').append(ChangeLines.oneLine(warning)).append('\n');
            }
        }
        out.append('\n');
        style.bold(out, PlanSummary.line(plan)).append('\n');
        return out.toString();
    }

    private static void section(StringBuilder out, Style style, ChangeLines lines, String title,
                                List<ResourceChange> changes) {
        if (changes.isEmpty()) {
            return;
        }
        out.append('\n');
        style.bold(out, title + " (" + changes.size() + "):").append('\n');
        for (ZoneGroups.Group group : ZoneGroups.of(changes)) {
            out.append('\n').append("  ");
            style.bold(out, group.title()).append('\n');
            for (ResourceChange c : group.changes()) {
                lines.resource(out, "    ", c);
            }
        }
    }

    /** "Destroy", "Replace" or "Destroy or replace", by what the section holds. */
    private static String sectionTitle(List<ResourceChange> changes, Action first, String firstWord, Action second,
                                       String secondWord) {
        boolean hasFirst = changes.stream().anyMatch(c -> c.action() == first);
        boolean hasSecond = changes.stream().anyMatch(c -> c.action() == second);
        if (hasFirst && hasSecond) {
            return firstWord + " or " + secondWord.toLowerCase();
        }
        return hasFirst ? firstWord : secondWord;
    }

    private static void outputs(StringBuilder out, Style style, Map<String, String> outputs) {
        if (outputs.isEmpty()) {
            return;
        }
        out.append('\n');
        style.bold(out, "Outputs after apply:").append('\n');
        new TreeMap<>(outputs).forEach((name, value) -> out.append("  ").append(ChangeLines.oneLine(name))
                .append(" = ").append(ChangeLines.oneLine(value)).append('\n'));
    }

    /** Right-aligned, so addresses line up under "-/+". */
    private static String symbol(Action action) {
        String s = action.symbol;
        return " ".repeat(3 - s.length()) + s;
    }
}
