package io.fleetform.cli.command;

import io.fleetform.engine.address.AddressPattern;
import io.fleetform.engine.plan.PlanMode;
import io.fleetform.engine.run.Workspace;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Options that shape a plan: refresh, mode, targets. */
final class PlanSelection {
    @Option(names = "--refresh", arity = "1", defaultValue = "true", paramLabel = "true|false",
            description = "Read the live state of resources first (default true).")
    boolean refresh = true;

    @Option(names = "--refresh-only", description = "Only report and record what changed outside Fleetform.")
    boolean refreshOnly;

    @Option(names = "--target", paramLabel = "ADDRESS", description = "Only these resources (patterns like zone.s1*); repeatable.")
    List<String> targets = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "ADDRESS", description = "Leave these resources out; repeatable.")
    List<String> excludes = new ArrayList<>();

    @Option(names = "--force-conflicts", description = "Take over fields another writer owns (a Kubernetes field "
            + "manager), like kubectl apply --server-side --force-conflicts; without it they are planned as conflicts "
            + "and left alone.")
    boolean forceConflicts;

    /** More changes at once than this only queues them in threads; a bigger number is a typo. */
    static final int MAX_PARALLELISM = 1000;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    int parallelism = 10;

    @Option(names = "--parallelism", paramLabel = "N", defaultValue = "10", description = "Remote operations at once, "
            + "1 to " + MAX_PARALLELISM + ": the refresh reads of a plan and the changes of an apply (default 10; "
            + "Kubernetes objects: five times that, or FLEETFORM_K8S_PARALLELISM).")
    void parallelism(int value) {
        // Checked as the command line is read, so every command that takes it refuses before doing anything.
        if (value < 1 || value > MAX_PARALLELISM) {
            throw new ParameterException(command.commandLine(), "--parallelism must be from 1 to " + MAX_PARALLELISM
                    + " (changes made at once), not " + value);
        }
        parallelism = value;
    }

    /**
     * Refuses options that contradict each other (as Terraform does): a refresh-only plan is a refresh, so neither a
     * destroy nor {@code --refresh=false}. Checked before the fleet is read, so nothing is done.
     */
    void requireConsistent(boolean destroy) {
        if (refreshOnly && destroy) {
            throw new io.fleetform.cli.CliException(io.fleetform.cli.ExitCode.USAGE, "--refresh-only and a destroy"
                    + " plan contradict each other: a refresh-only plan changes nothing; give one of them");
        }
        if (refreshOnly && !refresh) {
            throw new io.fleetform.cli.CliException(io.fleetform.cli.ExitCode.USAGE, "--refresh-only with"
                    + " --refresh=false would read nothing and record nothing; give one of them");
        }
    }

    /** The first option given that shapes a new plan, which a saved plan cannot take; null if none. */
    String shapingOption() {
        return !targets.isEmpty() ? "--target" : !excludes.isEmpty() ? "--exclude" : refreshOnly ? "--refresh-only"
                : !refresh ? "--refresh=false" : null;
    }

    Workspace.PlanSettings settings(boolean destroy) {
        requireConsistent(destroy);
        PlanMode mode = destroy ? PlanMode.DESTROY : refreshOnly ? PlanMode.REFRESH_ONLY : PlanMode.NORMAL;
        return new Workspace.PlanSettings(mode, refresh, targets.stream().map(AddressPattern::new).toList(),
                excludes.stream().map(AddressPattern::new).toList(), forceConflicts, parallelism);
    }
}
