package io.fleetform.engine.planner;

import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.plan.Plan;
import io.fleetform.engine.plan.PlanMode;
import io.fleetform.engine.plan.ResourceChange;
import io.fleetform.engine.provider.ChangeOnly;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which of the providers' problems of making or changing resources ({@link ChangeOnly}) stop a plan: those of a
 * resource the plan creates, updates or replaces, or may have to (a declared resource the expansion could not give,
 * say one that no longer fits anywhere: left out of the desired set, a normal plan would delete it, so its problem
 * stands). A destroy or refresh-only plan makes nothing, so none stops it; each is shown as a warning instead, so the
 * user still learns that the configuration no longer fits.
 */
public final class ChangeOnlyRule {
    private ChangeOnlyRule() {
    }

    /**
     * @param desired  the addresses the expansion gave
     * @param selected whether the plan covers an address (its --target and --exclude)
     * @return the diagnostics to report: each one an error that stands or a warning that does not
     */
    public static List<Diagnostic> judge(List<ChangeOnly> problems, Plan plan, Set<ResourceAddress> desired,
                                         Predicate<ResourceAddress> selected) {
        List<Diagnostic> out = new ArrayList<>();
        if (problems.isEmpty()) {
            return out;
        }
        Set<ResourceAddress> making = new HashSet<>();
        for (ResourceChange c : plan.changes()) {
            if (makes(c.action())) {
                making.add(c.address());
            }
        }
        // One problem may be marked more than once (reported once, about several resources): it concerns them all,
        // and one mark that names none makes it concern whatever is made.
        Map<Diagnostic, Set<ResourceAddress>> about = new LinkedHashMap<>();
        Set<Diagnostic> unnamed = new HashSet<>();
        for (ChangeOnly p : problems) {
            about.computeIfAbsent(p.diagnostic(), d -> new HashSet<>()).addAll(p.resources());
            if (p.resources().isEmpty()) {
                unnamed.add(p.diagnostic());
            }
        }
        about.forEach((d, resources) -> {
            boolean stands = plan.mode() == PlanMode.NORMAL && (unnamed.contains(d) || resources.stream()
                    .anyMatch(a -> making.contains(a) || !desired.contains(a) && selected.test(a)));
            out.add(stands || !d.isError() ? d : waived(d, plan.mode()));
        });
        return out;
    }

    private static boolean makes(Action action) {
        return action == Action.CREATE || action == Action.UPDATE || action == Action.REPLACE
                || action == Action.TAKE_OVER || action == Action.CONFLICT;
    }

    private static Diagnostic waived(Diagnostic d, PlanMode mode) {
        String why = mode == PlanMode.DESTROY ? "a destroy makes nothing, so it goes on"
                : mode == PlanMode.REFRESH_ONLY ? "a refresh-only plan makes nothing, so it goes on"
                : "this plan creates and changes none of what it concerns, so it goes on";
        return Diagnostic.warning(d.code(), d.span(), d.message() + " (" + why + ")", d.hint());
    }
}
