package io.fleetform.cli.render.plan;

import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.plan.Plan;
import io.fleetform.engine.plan.ResourceChange;
import io.fleetform.engine.rollout.RolloutSchedule;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Pull-request labels for a plan, for CI to set (and remove when they no longer apply), in this
 * order: {@code fleetform:destroys}, {@code fleetform:replaces}, {@code fleetform:no-changes},
 * {@code fleetform:needs-approval} (a stage with {@code approval = manual} has changes),
 * {@code fleetform:policy-denied} (a deny rule of {@code --policy} fired).
 */
public final class Labels {
    public static final String DESTROYS = "fleetform:destroys";
    public static final String REPLACES = "fleetform:replaces";
    public static final String NO_CHANGES = "fleetform:no-changes";
    public static final String NEEDS_APPROVAL = "fleetform:needs-approval";
    /** A deny rule of the policy (--policy) fired: the plan may not be applied. */
    public static final String POLICY_DENIED = "fleetform:policy-denied";
    /** Every label this class can give, so CI can remove the ones that no longer apply. */
    public static final List<String> ALL = List.of(DESTROYS, REPLACES, NO_CHANGES, NEEDS_APPROVAL, POLICY_DENIED);

    private Labels() {
    }

    public static List<String> of(Plan plan, Fleet fleet, Optional<String> rollout) {
        return of(plan, fleet, rollout, false);
    }

    /** As {@link #of(Plan, Fleet, Optional)}; {@code policyDenied}: a deny rule fired. */
    public static List<String> of(Plan plan, Fleet fleet, Optional<String> rollout, boolean policyDenied) {
        List<String> labels = new ArrayList<>();
        if (plan.count(Action.DELETE) > 0) {
            labels.add(DESTROYS);
        }
        if (plan.count(Action.REPLACE) > 0) {
            labels.add(REPLACES);
        }
        if (!plan.hasChanges()) {
            labels.add(NO_CHANGES);
        }
        if (manualStageChanges(plan, fleet, rollout)) {
            labels.add(NEEDS_APPROVAL);
        }
        if (policyDenied) {
            labels.add(POLICY_DENIED);
        }
        return labels;
    }

    /** One label a line, the file {@code --labels-file} writes. */
    public static String text(List<String> labels) {
        return labels.isEmpty() ? "" : String.join("\n", labels) + "\n";
    }

    private static boolean manualStageChanges(Plan plan, Fleet fleet, Optional<String> rollout) {
        Optional<RolloutSchedule> schedule;
        try {
            schedule = RolloutSchedule.of(fleet, rollout);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (schedule.isEmpty()) {
            return false;
        }
        Set<String> changedZones = new HashSet<>();
        for (ResourceChange c : plan.changes()) {
            if (c.action() != Action.NO_OP) {
                changedZones.add(c.address().zone());
            }
        }
        for (RolloutSchedule.StageWork stage : schedule.get().stages()) {
            if (stage.manualApproval() && stage.zones().stream().anyMatch(changedZones::contains)) {
                return true;
            }
        }
        return false;
    }
}
