package io.fleetform.cli.command;

import io.fleetform.cli.Terminal;
import io.fleetform.cli.render.plan.PolicyText;
import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.plan.Plan;
import io.fleetform.engine.plan.PlanPolicy;
import io.fleetform.engine.policy.Policies;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * {@code --policy PATH}: rules the plan must pass ({@code *.policy} files, see {@link Policies}).
 * They are read from this machine, not from the change under review, so a pull request cannot
 * loosen the rules it is checked against (CI passes the base branch's checkout).
 */
final class PolicyOptions {
    @Option(names = "--policy", paramLabel = "PATH", description = "Check the plan against the deny and warn rules "
            + "of a .policy file or a folder of them; repeatable. A deny rule that fires fails the command.")
    List<Path> paths = new ArrayList<>();

    /** The rules, read before anything is planned; a mistake in them is an error with file:line:col. */
    Policies load(FleetOptions fleet, Terminal terminal) {
        if (paths.isEmpty()) {
            return Policies.none();
        }
        Policies.Loaded loaded = Policies.load(paths);
        Engine.report(loaded.diagnostics(), fleet, terminal);
        return loaded.policies();
    }

    /** Runs the rules and prints what fired; a rule that cannot be evaluated is an error with file:line:col. */
    static Policies.Checked check(Policies policies, Plan plan, Fleet model, Optional<String> rollout,
                                  FleetOptions fleet, Terminal terminal) {
        return check(policies, plan, model, rollout, fleet, terminal, terminal.out());
    }

    /** As above, printing to {@code to}. */
    static Policies.Checked check(Policies policies, Plan plan, Fleet model, Optional<String> rollout,
                                  FleetOptions fleet, Terminal terminal, java.io.PrintWriter to) {
        Policies.Checked checked = evaluate(policies, plan, model, rollout, fleet, terminal);
        print(policies, checked, to);
        return checked;
    }

    /** Runs the rules without printing what fired; a rule that cannot be evaluated is an error with file:line:col. */
    static Policies.Checked evaluate(Policies policies, Plan plan, Fleet model, Optional<String> rollout,
                                     FleetOptions fleet, Terminal terminal) {
        Policies.Checked checked = policies.check(plan, model, rollout);
        Engine.report(checked.diagnostics(), fleet, terminal);
        return checked;
    }

    static void print(Policies policies, Policies.Checked checked, java.io.PrintWriter to) {
        if (!policies.isEmpty()) {
            to.print(PolicyText.render(policies.size(), checked.results()));
        }
    }

    /** The plan with what the rules found, for its JSON and its file (nothing when no --policy was given). */
    static Plan withResults(Plan plan, Policies policies, Policies.Checked checked) {
        return policies.isEmpty() ? plan : plan.withPolicy(Optional.of(new PlanPolicy(policies.size(),
                checked.results())));
    }
}
