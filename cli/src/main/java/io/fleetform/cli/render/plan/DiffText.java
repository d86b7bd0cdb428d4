package io.fleetform.cli.render.plan;

import io.fleetform.engine.diff.FleetDiff;
import io.fleetform.engine.diff.FleetDiff.Change;
import io.fleetform.engine.diff.FleetDiff.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * A desired-fleet diff, for a terminal and, in a {@code diff} code block, for a pull request:
 * <pre>
 * - zone s3 (idc = sh-pudong; services: logic, db)
 * ~ zone s5
 *     idc: sh-pudong → sz-nanshan
 *   + service cache
 *   ~ service logic
 *       memory: 16Gi → 32Gi
 * + zone s41 (idc = sz-nanshan; services: logic, db)
 * </pre>
 * Secrets are shown as {@code (sensitive)}.
 */
public final class DiffText {
    private DiffText() {
    }

    /** "2 zones added, 1 removed, 3 changed; 4 services added, …; 1 rollout changed", or "no changes". */
    public static String summary(FleetDiff diff) {
        List<String> parts = new ArrayList<>();
        counts(parts, diff, "zone", "zones");
        counts(parts, diff, "service", "services");
        counts(parts, diff, "rollout", "rollouts");
        List<String> other = new ArrayList<>();
        for (FleetDiff.Kind kind : FleetDiff.Kind.values()) {
            long n = diff.changes().stream().filter(c -> !List.of("zone", "rollout").contains(c.type())
                    && c.kind() == kind).count();
            if (n > 0) {
                other.add(n + " " + kind.name().toLowerCase(java.util.Locale.ROOT));
            }
        }
        if (!other.isEmpty()) {
            parts.add("fleet-wide blocks: " + String.join(", ", other));
        }
        return parts.isEmpty() ? "no changes to the desired fleet" : String.join("; ", parts);
    }

    public static String render(FleetDiff diff) {
        StringBuilder out = new StringBuilder(256 + diff.changes().size() * 120);
        for (Change c : diff.changes()) {
            change(out, c);
        }
        out.append('\n').append(summary(diff)).append('\n');
        return out.toString();
    }

    /** The lines of one top-level change (a zone with its services, a rollout, an image…). */
    static void change(StringBuilder out, Change c) {
        out.append(symbol(c.kind())).append(' ').append(c.type()).append(' ').append(ChangeLines.oneLine(c.name()));
        if (c.kind() == Kind.CHANGED) {
            out.append('\n');
            attributes(out, "    ", c.attributes());
            for (Change s : c.services()) {
                out.append("  ").append(symbol(s.kind())).append(' ').append(s.type()).append(' ')
                        .append(ChangeLines.oneLine(s.name())).append('\n');
                if (s.kind() == Kind.CHANGED) {
                    attributes(out, "      ", s.attributes());
                }
            }
        } else {
            out.append(brief(c)).append('\n');
        }
    }

    private static void attributes(StringBuilder out, String indent, List<FleetDiff.Attribute> attributes) {
        for (FleetDiff.Attribute a : attributes) {
            out.append(indent).append(ChangeLines.oneLine(a.name())).append(": ")
                    .append(a.before() == null ? "(none)" : ChangeLines.oneLine(a.beforeShown())).append(ChangeLines.ARROW)
                    .append(a.after() == null ? "(none)" : ChangeLines.oneLine(a.afterShown())).append('\n');
        }
    }

    /** An added or removed block in one line: its IDC and services for a zone, else nothing more. */
    private static String brief(Change c) {
        if (!c.type().equals("zone")) {
            return "";
        }
        String idc = c.attributes().stream().filter(a -> a.name().equals("idc")).map(a -> c.kind() == Kind.ADDED
                ? a.afterShown() : a.beforeShown()).findFirst().orElse("?");
        List<String> services = c.services().stream().map(Change::name).toList();
        return " (idc = " + ChangeLines.oneLine(idc) + "; " + (services.isEmpty() ? "no services"
                : "services: " + ChangeLines.oneLine(String.join(", ", services))) + ")";
    }

    private static String symbol(Kind kind) {
        return switch (kind) {
            case ADDED -> "+";
            case REMOVED -> "-";
            case CHANGED -> "~";
        };
    }

    private static void counts(List<String> parts, FleetDiff diff, String type, String plural) {
        long added = diff.count(type, Kind.ADDED);
        long removed = diff.count(type, Kind.REMOVED);
        long changed = diff.count(type, Kind.CHANGED);
        List<String> words = new ArrayList<>();
        if (added > 0) {
            words.add(added + " added");
        }
        if (removed > 0) {
            words.add(removed + " removed");
        }
        if (changed > 0) {
            words.add(changed + " changed");
        }
        if (!words.isEmpty()) {
            long first = added > 0 ? added : removed > 0 ? removed : changed;
            parts.add(first + " " + (first == 1 ? type : plural) + " " + String.join(", ", words).substring(
                    String.valueOf(first).length() + 1));
        }
    }
}
