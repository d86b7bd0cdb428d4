package io.fleetform.cli.render.plan;

import io.fleetform.engine.plan.Action;
import io.fleetform.engine.plan.AttributeChange;
import io.fleetform.engine.plan.Drift;
import io.fleetform.engine.plan.Redaction;
import io.fleetform.engine.plan.ResourceChange;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The lines that describe one resource, shared by the terminal and the pull-request views
 * so both say the same thing in the same words:
 * <pre>
 * -/+ zone.s12.service.logic[0] (service) will be replaced: image changes need a new container
 *       image: "gamesvr:1.4" → "gamesvr:1.5"  # forces replacement
 *       env.DB_PASSWORD: (sensitive) → (sensitive)
 * </pre>
 * Every value passes through {@link Redaction}, so no view can show a secret's hash.
 */
final class ChangeLines {
    static final String ARROW = " → ";
    static final String FORCES_REPLACEMENT = "# forces replacement";
    /** A reason that starts so says how an in-place change is made, instead of "will be updated in place". */
    static final String OUTCOME = "will be ";

    private final Style style;
    private final ValueFormat values;
    private final Function<Action, String> symbols;
    private final io.fleetform.engine.plan.PlanRollout rollout;

    /** @param symbols the marker each action gets, already padded to line the addresses up */
    ChangeLines(Style style, ValueFormat values, Function<Action, String> symbols) {
        this(style, values, symbols, io.fleetform.engine.plan.PlanRollout.NONE);
    }

    /** @param rollout each change's stage, disruption and whether it is unfinished, shown after its outcome */
    ChangeLines(Style style, ValueFormat values, Function<Action, String> symbols,
                io.fleetform.engine.plan.PlanRollout rollout) {
        this.style = style;
        this.values = values;
        this.symbols = symbols;
        this.rollout = rollout;
    }

    /** {@code [stage canary · restart · unfinished]}, or nothing when the plan says none of it. */
    String rolloutTag(ResourceChange c) {
        List<String> parts = new java.util.ArrayList<>();
        String stage = rollout.stageOf(c.address());
        if (!stage.isEmpty()) {
            parts.add("stage " + stage);
        }
        // the other rollouts' stages (apply --rollout NAME), or all of them when apply would follow none
        List<String> others = rollout.otherStagesOf(c.address());
        if (!others.isEmpty()) {
            parts.add((stage.isEmpty() ? "stages " : "other rollouts ") + String.join(", ", others));
        }
        String disruption = rollout.disruptionOf(c.address());
        if (!disruption.isEmpty() && (c.action() == Action.UPDATE || c.action() == Action.TAKE_OVER
                || c.action() == Action.REPLACE)) {
            parts.add(disruption);
        }
        if (rollout.unfinished().contains(c.address())) {
            parts.add("unfinished: a rollout made or tried this change and it never became healthy");
        }
        return parts.isEmpty() ? "" : " [" + String.join(" · ", parts) + "]";
    }

    static String outcome(Action action) {
        return switch (action) {
            case CREATE -> "will be created";
            case UPDATE -> "will be updated in place";
            case CONFLICT -> "will not be updated: conflict";
            case TAKE_OVER -> "will be updated in place, taking fields over";
            case FORGET -> "will be removed from the state and left in place";
            case REPLACE -> "will be replaced";
            case DELETE -> "will be destroyed";
            case NO_OP -> "will not change";
        };
    }

    /** A resource's line and its attribute lines; {@code indent} is where the symbol starts. */
    void resource(StringBuilder out, String indent, ResourceChange c) {
        out.append(indent);
        symbol(out, c.action());
        out.append(' ').append(oneLine(c.address().value())).append(" (").append(oneLine(c.type())).append(") ");
        boolean hasReason = c.reason() != null && !c.reason().isBlank();
        if (c.action() == Action.UPDATE && hasReason && c.reason().startsWith(OUTCOME)) {
            // an update the provider makes in a way reviewers must see (a restart): it says how
            out.append(oneLine(c.reason()));
        } else {
            out.append(outcome(c.action()));
            if (hasReason) {
                out.append(": ").append(oneLine(c.reason()));
            }
        }
        out.append(oneLine(rolloutTag(c)));
        out.append('\n');
        attributes(out, indent, c.action(), c.changes(), c.sensitive());
    }

    /** What refresh found: the resource changed by hand (before is the state, after the world) or gone. */
    void drift(StringBuilder out, String indent, Drift d) {
        Action shownAs = d.deleted() ? Action.DELETE : Action.UPDATE;
        out.append(indent);
        symbol(out, shownAs);
        out.append(' ').append(oneLine(d.address().value())).append(" (").append(oneLine(d.type())).append(") ")
                .append(d.deleted() ? "was deleted outside Fleetform" : "was changed outside Fleetform").append('\n');
        attributes(out, indent, Action.UPDATE, d.changes(), Set.of());
    }

    private void attributes(StringBuilder out, String indent, Action action, List<AttributeChange> changes,
                            Set<String> sensitive) {
        String attributeIndent = indent + " ".repeat(symbols.apply(action).length() + 3);
        for (AttributeChange a : changes) {
            Object before = Redaction.value(a.name(), a.before(), a.sensitive(), sensitive);
            Object after = Redaction.value(a.name(), a.after(), a.sensitive(), sensitive);
            out.append(attributeIndent).append(oneLine(a.name())).append(": ");
            // A new resource has only values and a removed one only old values: an arrow from
            // or to nothing on every line would be noise.
            if (action == Action.CREATE) {
                values.append(out, after);
            } else if (action == Action.DELETE) {
                values.append(out, before);
            } else {
                values.append(out, before);
                out.append(ARROW);
                values.append(out, after);
            }
            if (a.forcesReplacement()) {
                out.append("  ");
                style.red(out, FORCES_REPLACEMENT);
            }
            out.append('\n');
        }
    }

    private void symbol(StringBuilder out, Action action) {
        String symbol = symbols.apply(action);
        switch (action) {
            case CREATE -> style.green(out, symbol);
            case UPDATE, TAKE_OVER, CONFLICT -> style.yellow(out, symbol);
            case REPLACE, DELETE -> style.red(out, symbol);
            case FORGET, NO_OP -> out.append(symbol);
        }
    }

    /** Free text from providers on one line: a line break must not forge a line of the plan. */
    static String oneLine(String text) {
        if (text == null) {
            return "";
        }
        return text.indexOf('\n') < 0 && text.indexOf('\r') < 0 ? text : text.replaceAll("[\r\n]+", " ");
    }
}
