package io.fleetform.cli.render.plan;

import io.fleetform.engine.plan.Action;
import io.fleetform.engine.plan.Plan;
import io.fleetform.engine.plan.PlanMode;

/**
 * The one line that says what a plan will do, the same in the terminal and in pull requests.
 * Scripts and people grep for it, so its wording is fixed:
 * <ul>
 * <li>{@code Plan: 3 to add, 1 to change, 2 to replace, 1 to destroy.}</li>
 * <li>{@code No changes. The infrastructure matches the configuration.}</li>
 * <li>{@code Destroy plan: 5 to destroy.} / {@code No changes. There is nothing to destroy.}</li>
 * <li>{@code Refresh-only plan: 2 changes outside Fleetform will be recorded in the state; no
 * infrastructure will change.} / {@code No changes. The state matches the infrastructure.}</li>
 * </ul>
 */
public final class PlanSummary {
    private PlanSummary() {
    }

    public static String line(Plan plan) {
        long add = plan.count(Action.CREATE);
        long change = plan.count(Action.UPDATE);
        long replace = plan.count(Action.REPLACE);
        long destroy = plan.count(Action.DELETE);
        String also = also(plan);
        if (plan.mode() == PlanMode.REFRESH_ONLY) {
            int drift = plan.drift().size();
            return drift == 0 ? "No changes. The state matches the infrastructure."
                    : "Refresh-only plan: " + drift + (drift == 1 ? " change" : " changes") + " outside Fleetform will "
                    + "be recorded in the state; no infrastructure will change.";
        }
        if (plan.mode() == PlanMode.DESTROY && add + change + replace == 0) {
            return destroy == 0 && also.isEmpty() ? "No changes. There is nothing to destroy."
                    : "Destroy plan: " + destroy + " to destroy" + also + ".";
        }
        if (add + change + replace + destroy == 0 && also.isEmpty()) {
            return "No changes. The infrastructure matches the configuration.";
        }
        return "Plan: " + add + " to add, " + change + " to change, " + replace + " to replace, " + destroy
                + " to destroy" + also + ".";
    }

    /** Conflicts, take-overs and what stays in place, when there are any: ", 1 conflict left alone". */
    private static String also(Plan plan) {
        StringBuilder s = new StringBuilder();
        long takeOver = plan.count(Action.TAKE_OVER);
        long conflict = plan.count(Action.CONFLICT);
        long forget = plan.count(Action.FORGET);
        if (takeOver > 0) {
            s.append(", ").append(takeOver).append(" to take fields over");
        }
        if (conflict > 0) {
            s.append(", ").append(conflict).append(conflict == 1 ? " conflict" : " conflicts")
                    .append(" left alone (--force-conflicts takes the fields over)");
        }
        if (forget > 0) {
            s.append(", ").append(forget).append(" to leave in place (removed from the state)");
        }
        return s.toString();
    }

    /** How a plan of this mode is called in titles: "plan", "destroy plan", "refresh-only plan". */
    static String kind(Plan plan) {
        return switch (plan.mode()) {
            case NORMAL -> "plan";
            case DESTROY -> "destroy plan";
            case REFRESH_ONLY -> "refresh-only plan";
        };
    }
}
