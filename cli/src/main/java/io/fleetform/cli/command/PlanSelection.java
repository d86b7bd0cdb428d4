package io.fleetform.cli.command;

import io.fleetform.engine.address.AddressPattern;
import io.fleetform.engine.plan.PlanMode;
import io.fleetform.engine.run.Workspace;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

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

    @Option(names = "--parallelism", defaultValue = "10", description = "Changes made at once (default 10; "
            + "Kubernetes objects: five times that, or FLEETFORM_K8S_PARALLELISM).")
    int parallelism = 10;

    Workspace.PlanSettings settings(boolean destroy) {
        PlanMode mode = destroy ? PlanMode.DESTROY : refreshOnly ? PlanMode.REFRESH_ONLY : PlanMode.NORMAL;
        return new Workspace.PlanSettings(mode, refresh, targets.stream().map(AddressPattern::new).toList(),
                excludes.stream().map(AddressPattern::new).toList(), forceConflicts);
    }
}
