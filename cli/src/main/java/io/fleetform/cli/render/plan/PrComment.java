package io.fleetform.cli.render.plan;

import io.fleetform.engine.diff.FleetDiff;
import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.plan.AttributeChange;
import io.fleetform.engine.plan.Plan;
import io.fleetform.engine.plan.ResourceChange;
import io.fleetform.engine.plan.PolicyResult;
import io.fleetform.engine.rollout.RolloutSchedule;
import io.fleetform.engine.state.Provenance;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The pull-request comment of {@code pr-plan}: the desired-fleet diff and the plan of the
 * change's head against the state. In this order: the counts and the summary line, the plan's
 * errors (a {@code prevent_destroy} that refused the plan), the policy's denials
 * ({@code --policy}; or one line saying how many rules passed), every destructive change and
 * replacement under a warning, changes to resources protected by {@code prevent_destroy}, the
 * policy's warnings,
 * placement moves (host, cores, IP), a table per rollout stage with a row per changed zone,
 * the desired-fleet diff, then the details of every zone folded in {@code <details>}.
 *
 * <p>Nothing a reviewer must see is cut: a comment longer than {@link #MAX_LENGTH} is split
 * into numbered parts ({@code part 2 of 3}), each valid Markdown, between items, never inside
 * one (see {@link CommentParts}). Every part starts with a hidden marker that stays the same
 * from run to run ({@link #marker}), so CI finds and updates its comments instead of adding new
 * ones.
 */
public final class PrComment {
    /** GitHub refuses comments over 65,536 characters; GitLab's limit is higher. */
    public static final int MAX_LENGTH = 65_536;
    private static final int HEADER_ROOM = 1_200;
    private static final Set<String> PLACEMENT = Set.of("host", "cores", "ip", "numa_node");
    private static final String CLOSE_DIFF = "```\n\n</details>\n\n";

    /** What the comment is about. */
    public record Input(Plan plan, FleetDiff diff, Fleet head, Optional<String> rollout, Provenance base,
                        List<String> errors, String fleetPath, int policyRules, List<PolicyResult> policy) {
        public Input {
            errors = List.copyOf(errors);
            policy = List.copyOf(policy);
        }

        /** Without a policy. */
        public Input(Plan plan, FleetDiff diff, Fleet head, Optional<String> rollout, Provenance base,
                     List<String> errors, String fleetPath) {
            this(plan, diff, head, rollout, base, errors, fleetPath, 0, List.of());
        }
    }

    private final Input in;
    private final ChangeLines lines = new ChangeLines(Style.PLAIN, ValueFormat.SHORT, PrComment::symbol);

    private PrComment(Input in) {
        this.in = in;
    }

    /** The comment's parts, in order; one when it fits. */
    public static List<String> render(Input input) {
        return render(input, MAX_LENGTH);
    }

    static List<String> render(Input input, int limit) {
        return new PrComment(input).parts(limit);
    }

    /**
     * The hidden marker of one part: the same for the same fleet folder and part number on every
     * run (the folder, not the fleet's name, so CI can write it too when the fleet does not even
     * parse, and a renamed fleet keeps its comments).
     */
    public static String marker(String path, int part) {
        return "<!-- fleetform:pr-plan path=" + safe(path.isEmpty() ? "." : path) + " part=" + part + " -->";
    }

    private List<String> parts(int limit) {
        Plan plan = in.plan();
        List<ResourceChange> changed = plan.changes().stream().filter(c -> c.action() != Action.NO_OP).toList();
        List<ZoneGroups.Group> groups = ZoneGroups.of(changed);
        CommentParts parts = new CommentParts(limit, HEADER_ROOM);
        parts.add(CommentParts.Section.text(counts()));
        errors(parts);
        policy(parts, PolicyResult.Level.DENY);
        destructive(parts, groups);
        protectedChanges(parts, changed);
        policy(parts, PolicyResult.Level.WARN);
        placement(parts, changed);
        stages(parts, groups);
        diff(parts);
        details(parts, groups);
        return parts.render(this::header);
    }

    private String header(int part, int count) {
        Plan plan = in.plan();
        StringBuilder s = new StringBuilder();
        s.append(marker(in.fleetPath(), part)).append('\n');
        s.append("### Fleetform plan for fleet ").append(MarkdownText.code(plan.fleet()));
        if (count > 1) {
            s.append(" (part ").append(part).append(" of ").append(count).append(')');
        }
        s.append("\n\n");
        plan.provenance().ifPresent(p -> {
            s.append("Head ").append(MarkdownText.code(p.ref())).append(" at ").append(MarkdownText.code(short12(p.commit())))
                    .append(" against base ").append(MarkdownText.code(in.base().ref())).append(" at ")
                    .append(MarkdownText.code(short12(in.base().commit())));
            if (!p.path().isEmpty()) {
                s.append(", fleet folder ").append(MarkdownText.code(p.path()));
            }
            s.append(".\n\n");
        });
        if (count > 1 && part > 1) {
            s.append("_Continued from part ").append(part - 1).append("._\n\n");
        }
        return s.toString();
    }

    private String counts() {
        Plan plan = in.plan();
        StringBuilder s = new StringBuilder();
        s.append("| To add | To change | To replace | To destroy |\n| ---: | ---: | ---: | ---: |\n| ")
                .append(plan.count(Action.CREATE)).append(" | ").append(plan.count(Action.UPDATE)).append(" | ")
                .append(plan.count(Action.REPLACE)).append(" | ").append(plan.count(Action.DELETE)).append(" |\n\n");
        s.append("**").append(MarkdownText.text(PlanSummary.line(plan))).append("**\n\n");
        s.append("Desired fleet: ").append(MarkdownText.text(DiffText.summary(in.diff()))).append(".\n\n");
        return s.toString();
    }

    private void errors(CommentParts parts) {
        if (in.errors().isEmpty()) {
            return;
        }
        List<String> items = new ArrayList<>();
        in.errors().forEach(e -> items.add("> - " + MarkdownText.text(e) + "\n"));
        parts.add(new CommentParts.Section("> [!CAUTION]\n> **The plan was refused; apply would do nothing until "
                + "this is fixed:**\n>\n", items, "\n", "> [!CAUTION]\n> **The plan was refused (continued):**\n>\n"));
    }

    /**
     * Denials right after the errors (the change cannot be applied); warnings after the destructive
     * changes, which a reviewer reads first; one line when no rule fired.
     */
    private void policy(CommentParts parts, PolicyResult.Level level) {
        if (in.policyRules() == 0) {
            return;
        }
        if (in.policy().isEmpty()) {
            if (level == PolicyResult.Level.DENY) {
                parts.add(CommentParts.Section.text("Policy: " + in.policyRules() + (in.policyRules() == 1 ? " rule"
                        : " rules") + " checked, none fired.\n\n"));
            }
            return;
        }
        boolean deny = level == PolicyResult.Level.DENY;
        parts.add(new CommentParts.Section(deny ? PolicyMarkdown.DENIED : PolicyMarkdown.WARNED,
                PolicyMarkdown.items(in.policy(), level), "\n", deny ? PolicyMarkdown.DENIED_MORE
                : PolicyMarkdown.WARNED_MORE));
    }

    private void destructive(CommentParts parts, List<ZoneGroups.Group> groups) {
        List<ResourceChange> destructive = new ArrayList<>();
        groups.forEach(g -> g.changes().stream().filter(c -> c.action().isDestructive()).forEach(destructive::add));
        if (destructive.isEmpty()) {
            return;
        }
        List<String> items = new ArrayList<>();
        for (ResourceChange c : destructive) {
            StringBuilder item = new StringBuilder("> - **").append(c.action() == Action.REPLACE ? "replace" : "destroy")
                    .append("** ").append(MarkdownText.code(c.address().value())).append(" (")
                    .append(MarkdownText.text(c.type())).append(')');
            if (c.reason() != null && !c.reason().isBlank()) {
                item.append(": ").append(MarkdownText.text(c.reason()));
            }
            items.add(item.append('\n').toString());
        }
        String title = "**Destructive changes: " + words(destructive) + ".** Review each one: data on a destroyed or "
                + "replaced resource is lost unless it is kept.";
        parts.add(new CommentParts.Section("> [!WARNING]\n> " + title + "\n>\n", items, "\n",
                "> [!WARNING]\n> **Destructive changes (continued):**\n>\n"));
    }

    private void protectedChanges(CommentParts parts, List<ResourceChange> changed) {
        List<String> items = new ArrayList<>();
        for (ResourceChange c : changed) {
            if (c.lifecycle() != null && c.lifecycle().preventDestroy()) {
                items.add("- " + MarkdownText.code(c.address().value()) + " " + ChangeLines.outcome(c.action()) + "\n");
            }
        }
        parts.add(new CommentParts.Section("**Changes to resources with `prevent_destroy`** (they can never be "
                + "destroyed or replaced by a plan):\n\n", items, "\n", "**Changes to resources with `prevent_destroy` "
                + "(continued):**\n\n"));
    }

    private void placement(CommentParts parts, List<ResourceChange> changed) {
        List<String> rows = new ArrayList<>();
        for (ResourceChange c : changed) {
            if (c.action() == Action.CREATE || c.action() == Action.DELETE) {
                continue;
            }
            Map<String, AttributeChange> moved = new LinkedHashMap<>();
            for (AttributeChange a : c.changes()) {
                if (PLACEMENT.contains(a.name())) {
                    moved.put(a.name(), a);
                }
            }
            if (moved.isEmpty()) {
                continue;
            }
            rows.add("| " + MarkdownText.code(c.address().value()) + " | " + move(moved.get("host")) + " | "
                    + move(moved.get("numa_node")) + " | " + move(moved.get("cores")) + " | " + move(moved.get("ip"))
                    + " |\n");
        }
        String table = "| instance | host | NUMA node | cores | IP |\n| --- | --- | --- | --- | --- |\n";
        parts.add(new CommentParts.Section("> [!IMPORTANT]\n> **Placement moves: " + rows.size() + " instance"
                + (rows.size() == 1 ? "" : "s") + " change host, cores or IP.**\n\n" + table, rows, "\n",
                "**Placement moves (continued):**\n\n" + table));
    }

    private void stages(CommentParts parts, List<ZoneGroups.Group> groups) {
        Map<String, ZoneGroups.Group> byZone = new LinkedHashMap<>();
        groups.forEach(g -> byZone.put(g.zone(), g));
        Optional<RolloutSchedule> schedule;
        try {
            schedule = RolloutSchedule.of(in.head(), in.rollout());
        } catch (IllegalArgumentException e) {
            schedule = Optional.empty();
        }
        String table = "| zone | to add | to change | to replace | to destroy |\n| --- | ---: | ---: | ---: | ---: |\n";
        List<String> fleetWide = new ArrayList<>();
        ZoneGroups.Group shared = byZone.remove("");
        if (shared != null) {
            fleetWide.add(row("fleet-wide", shared.changes()));
        }
        if (schedule.isEmpty()) {
            List<String> rows = new ArrayList<>(fleetWide);
            byZone.values().forEach(g -> rows.add(row(g.zone(), g.changes())));
            parts.add(new CommentParts.Section("**Changes per zone** (no rollout: every zone at once)\n\n" + table, rows,
                    "\n", "**Changes per zone (continued)**\n\n" + table));
            return;
        }
        parts.add(new CommentParts.Section("**Rollout " + MarkdownText.code(schedule.get().rollout()) + "**, stage by "
                + "stage (fleet-wide resources first):\n\n" + table, fleetWide, "\n", table));
        for (RolloutSchedule.StageWork stage : schedule.get().stages()) {
            List<String> rows = new ArrayList<>();
            List<ResourceChange> all = new ArrayList<>();
            for (String zone : stage.zones()) {
                ZoneGroups.Group g = byZone.remove(zone);
                if (g != null) {
                    rows.add(row(zone, g.changes()));
                    all.addAll(g.changes());
                }
            }
            String title = "**Stage " + MarkdownText.code(stage.name()) + "**" + (stage.manualApproval()
                    ? " (needs manual approval: `--approve-stage " + stage.name() + "`)" : "") + ": " + rows.size()
                    + " of " + stage.zones().size() + " zones change" + (all.isEmpty() ? "" : ", " + words(all));
            if (rows.isEmpty()) {
                parts.add(CommentParts.Section.text(title + ".\n\n"));
            } else {
                parts.add(new CommentParts.Section(title + ".\n\n" + table, rows, "\n", "**Stage "
                        + MarkdownText.code(stage.name()) + " (continued)**\n\n" + table));
            }
        }
        List<String> rest = new ArrayList<>();
        byZone.values().forEach(g -> rest.add(row(g.zone(), g.changes())));
        parts.add(new CommentParts.Section("**After the stages** (zones removed from the fleet):\n\n" + table, rest,
                "\n", "**After the stages (continued)**\n\n" + table));
    }

    private void diff(CommentParts parts) {
        FleetDiff diff = in.diff();
        if (diff.isEmpty()) {
            return;
        }
        List<String> items = new ArrayList<>();
        for (FleetDiff.Change c : diff.changes()) {
            StringBuilder item = new StringBuilder();
            DiffText.change(item, c);
            items.add(item.toString());
        }
        String summary = MarkdownText.html("Desired fleet: " + DiffText.summary(diff));
        parts.add(new CommentParts.Section("<details><summary>" + summary + "</summary>\n\n```diff\n", items, CLOSE_DIFF,
                "<details><summary>" + summary + " (continued)</summary>\n\n```diff\n"));
    }

    private void details(CommentParts parts, List<ZoneGroups.Group> groups) {
        for (ZoneGroups.Group g : groups) {
            String summary = MarkdownText.html((g.zone().isEmpty() ? "Fleet-wide" : "Zone " + g.zone()) + ": "
                    + words(g.changes()));
            List<String> items = new ArrayList<>();
            for (ResourceChange c : g.changes()) {
                StringBuilder block = new StringBuilder();
                lines.resource(block, "", c);
                items.add(block.toString());
            }
            parts.add(new CommentParts.Section("<details><summary>" + summary + "</summary>\n\n```diff\n", items,
                    CLOSE_DIFF, "<details><summary>" + summary + " (continued)</summary>\n\n```diff\n"));
        }
    }

    private static String row(String zone, List<ResourceChange> changes) {
        long[] n = new long[Action.values().length];
        changes.forEach(c -> n[c.action().ordinal()]++);
        return "| " + MarkdownText.code(zone) + " | " + n[Action.CREATE.ordinal()] + " | " + n[Action.UPDATE.ordinal()]
                + " | " + n[Action.REPLACE.ordinal()] + " | " + n[Action.DELETE.ordinal()] + " |\n";
    }

    private static String move(AttributeChange a) {
        if (a == null) {
            return "";
        }
        return MarkdownText.text(String.valueOf(a.before())) + " → " + MarkdownText.text(String.valueOf(a.after()));
    }

    /** "1 to add, 2 to destroy": the non-zero counts, in summary-line order. */
    static String words(List<ResourceChange> changes) {
        long[] n = new long[Action.values().length];
        changes.forEach(c -> n[c.action().ordinal()]++);
        List<String> parts = new ArrayList<>();
        String[] words = {"to add", "to change", "to replace", "to destroy"};
        Action[] actions = {Action.CREATE, Action.UPDATE, Action.REPLACE, Action.DELETE};
        for (int i = 0; i < actions.length; i++) {
            if (n[actions[i].ordinal()] > 0) {
                parts.add(n[actions[i].ordinal()] + " " + words[i]);
            }
        }
        return String.join(", ", parts);
    }

    private static String short12(String sha) {
        return sha.substring(0, Math.min(12, sha.length()));
    }

    /** Marker values cannot end the HTML comment or break the line. */
    private static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9._/-]", "_").toLowerCase(Locale.ROOT);
    }

    private static String symbol(Action action) {
        String s = action == Action.UPDATE ? "!" : action.symbol;
        return s + " ".repeat(3 - s.length());
    }
}
