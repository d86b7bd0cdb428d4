package io.fleetform.cli.command;

import io.fleetform.cli.CliException;
import io.fleetform.cli.ExitCode;
import io.fleetform.cli.Terminal;
import io.fleetform.cli.render.plan.DiffText;
import io.fleetform.dsl.diag.DiagnosticRenderer;
import io.fleetform.engine.diff.FleetDiff;
import io.fleetform.engine.eval.EvalOptions;
import io.fleetform.engine.load.FleetLoader;
import io.fleetform.engine.load.LoadResult;
import io.fleetform.engine.model.Fleet;
import io.fleetform.source.git.CommitTree;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code fleetform diff --base REF --head REF}: what a change does to the desired fleet, from
 * the two commits alone (no state, no infrastructure, no secrets needed).
 */
@Command(name = "diff", description = "What a change does to the desired fleet: zones, services and attributes "
        + "added, removed or changed, rollouts changed (no state, no infrastructure). Exit 0; with "
        + "--detailed-exitcode 0 none, 2 changes.")
final class DiffCommand implements Callable<Integer>, TerminalAware {
    @Mixin
    ReviewOptions review;

    @Mixin
    FleetOptions fleet;

    @Option(names = "--detailed-exitcode", description = "Exit 0 with no changes, 2 with changes, 1 on error.")
    boolean detailedExitCode;

    private Terminal terminal;

    @Override
    public void terminal(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        try (ReviewOptions.Trees trees = review.open(terminal.environment())) {
            EvalOptions options = fleet.evalOptions(terminal.environment());
            Fleet head = load(trees.head(), "head " + review.head, options);
            Fleet base = trees.base().map(b -> load(b, "base " + review.base, options)).orElse(none(head.name()));
            FleetDiff diff = FleetDiff.between(base, head);
            terminal.out().println("Fleet \"" + head.name() + "\": " + review.base + " ("
                    + trees.baseProvenance().commit().substring(0, 12) + (trees.base().isEmpty() ? ", no fleet yet" : "")
                    + ") → " + review.head + " ("
                    + trees.head().provenance().commit().substring(0, 12) + ")\n");
            terminal.out().print(DiffText.render(diff));
            return detailedExitCode && !diff.isEmpty() ? ExitCode.CHANGES : ExitCode.OK;
        }
    }

    /** Evaluates one side as validate does; its mistakes are reported with the side they are in. */
    static Fleet load(CommitTree tree, String side, EvalOptions options, boolean userCode, FleetOptions fleet,
                      Terminal terminal) {
        FleetLoader loader = userCode ? FleetLoader.fromClassPath() : FleetLoader.fromClassPath().withoutUserCode();
        LoadResult result = loader.load(tree.root(), options);
        if (result.hasErrors()) {
            terminal.err().print(new DiagnosticRenderer(terminal.colour() && !fleet.noColour).render(result.diagnostics()));
            throw new CliException(ExitCode.ERROR, "the fleet at " + side + " has errors (above)");
        }
        return result.fleetOrThrow();
    }

    /** The fleet before a change that adds it: nothing. */
    static Fleet none(String name) {
        return new Fleet(name, "", java.util.Map.of(), java.util.Map.of(), java.util.List.of(), java.util.List.of(),
                java.util.List.of(), java.util.List.of(), java.util.List.of(), java.util.List.of(), java.util.List.of(),
                java.util.List.of(), java.util.List.of(), io.fleetform.dsl.source.SourceSpan.NONE);
    }

    private Fleet load(CommitTree tree, String side, EvalOptions options) {
        return load(tree, side, options, !review.noUserCode, fleet, terminal);
    }
}
