package io.fleetform.cli.command;

import io.fleetform.cli.CliException;
import io.fleetform.cli.ExitCode;
import io.fleetform.cli.Terminal;
import io.fleetform.cli.render.plan.Labels;
import io.fleetform.cli.render.plan.PlanMarkdown;
import io.fleetform.cli.render.plan.PolicyMarkdown;
import io.fleetform.cli.render.plan.PlanText;
import io.fleetform.engine.plan.PlanCodec;
import io.fleetform.engine.policy.Policies;
import io.fleetform.engine.run.Workspace;
import io.fleetform.engine.state.StateException;
import io.fleetform.engine.state.StateLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fleetform plan [DIR]}: what apply would change. */
@Command(name = "plan", description = "Show what apply would change (exit 0; with --detailed-exitcode 0 none, 2 changes).")
final class PlanCommand implements Callable<Integer>, TerminalAware {
    @Mixin
    FleetOptions fleet;

    @Mixin
    StateOptions state;

    @Mixin
    PlanSelection selection;

    @Mixin
    SourceOptions source;

    @Mixin
    PolicyOptions policy;

    @Option(names = "--labels-file", paramLabel = "FILE", description = "Write pull-request labels for this plan "
            + "(fleetform:destroys, fleetform:replaces, fleetform:no-changes, fleetform:needs-approval), one a line.")
    Path labelsFile;

    @Option(names = "--destroy", description = "Plan the destruction of everything in the state.")
    boolean destroy;

    @Option(names = {"-out", "--out"}, paramLabel = "FILE", description = "Save the plan for apply FILE.")
    Path out;

    @Option(names = "--json", description = "Print the plan as versioned JSON.")
    boolean json;

    @Option(names = "--markdown", paramLabel = "FILE", description = "Also write a pull-request comment (Markdown).")
    Path markdown;

    @Option(names = "--detailed-exitcode", description = "Exit 0 with no changes, 2 with changes, 1 on error.")
    boolean detailedExitCode;

    private Terminal terminal;

    @Override
    public void terminal(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws IOException, StateException {
        selection.requireConsistent(destroy);
        try (FleetSource files = source.open(fleet, terminal.environment(), java.util.List.of())) {
            return plan(files);
        }
    }

    private int plan(FleetSource files) throws IOException, StateException {
        try (Workspace workspace = Engine.workspace(files, fleet, state, terminal)) {
            return plan(files, workspace);
        }
    }

    /** The command with its workspace, whose provider sessions close when it ends. */
    private int plan(FleetSource files, Workspace workspace) throws IOException, StateException {
        Policies policies = policy.load(fleet, terminal);
        Workspace.Outcome<Workspace.Configuration> configuration = workspace.configurationForPlan();
        Engine.report(configuration.diagnostics(), fleet, terminal);
        Workspace.Outcome<Workspace.Planned> planned;
        StateLock lock = Engine.lock(workspace, "plan");
        try {
            planned = workspace.plan(configuration.value(), selection.settings(destroy));
        } finally {
            Engine.unlock(lock);
        }
        Engine.report(planned.diagnostics(), fleet, terminal);
        var unchecked = planned.value().plan().withProvenance(files.provenance(configuration.value().filesRead()));
        Policies.Checked checked = PolicyOptions.evaluate(policies, unchecked, configuration.value().fleet(),
                java.util.Optional.empty(), fleet, terminal);
        // The results are part of the plan: its JSON ("policy") and, when saved, its file.
        var plan = PolicyOptions.withResults(unchecked, policies, checked);
        if (json) {
            terminal.out().println(new String(PlanCodec.encodeForDisplay(plan), java.nio.charset.StandardCharsets.UTF_8));
        } else {
            terminal.out().print(PlanText.render(plan, terminal.colour() && !fleet.noColour));
        }
        // With --json standard output stays one document; the lines go to standard error for the log.
        PolicyOptions.print(policies, checked, json ? terminal.err() : terminal.out());
        if (markdown != null) {
            Files.writeString(markdown, PlanMarkdown.render(plan, out != null && !checked.denied() ? out.toString() : null,
                    PolicyMarkdown.section(policies.size(), checked.results())));
        }
        if (labelsFile != null) {
            Files.writeString(labelsFile, Labels.text(Labels.of(plan, configuration.value().fleet(),
                    java.util.Optional.empty(), checked.denied())));
        }
        if (checked.denied()) {
            throw new CliException(ExitCode.ERROR, "the policy denies this plan" + (out != null ? "; it was not saved"
                    : ""));
        }
        if (out != null) {
            Files.write(out, state.sealPlan(PlanCodec.encode(plan)));
            if (!json) {
                terminal.out().println("\nSaved the plan to " + out + ". Apply exactly these changes with: fleetform apply --plan "
                        + out + " " + fleet.dir);
            }
        }
        return detailedExitCode && plan.hasChanges() ? ExitCode.CHANGES : ExitCode.OK;
    }

    static CliException usage(String message) {
        return new CliException(ExitCode.USAGE, message);
    }
}
