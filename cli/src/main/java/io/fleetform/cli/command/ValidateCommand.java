package io.fleetform.cli.command;

import io.fleetform.cli.ExitCode;
import io.fleetform.cli.Terminal;
import io.fleetform.cli.render.DiagnosticsJson;
import io.fleetform.dsl.diag.DiagnosticRenderer;
import io.fleetform.engine.load.LoadResult;
import io.fleetform.engine.model.Fleet;
import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.engine.policy.Policies;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fleetform validate [DIR]}: every mistake in the fleet, or a one-line summary of it. */
@Command(name = "validate", description = "Check a fleet's files and report every mistake (exit 0 valid, 1 not).")
final class ValidateCommand implements Callable<Integer>, TerminalAware {
    @Mixin
    FleetOptions fleet;

    @Mixin
    SourceOptions source;

    @Option(names = "--json", description = "Machine-readable diagnostics.")
    boolean json;

    @Option(names = "--policy", paramLabel = "PATH", description = "Also check the deny and warn rules of a .policy "
            + "file or a folder of them (repeatable), without planning: syntax, structure, and what a rule reads of "
            + "the plan.")
    List<Path> policyPaths = new ArrayList<>();

    private Terminal terminal;

    @Override
    public void terminal(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        try (FleetSource files = source.open(fleet, terminal.environment(), java.util.List.of())) {
            return validate(files);
        }
    }

    private int validate(FleetSource files) {
        LoadResult result = files.load(fleet.evalOptions(terminal.environment()));
        List<Diagnostic> diagnostics = new ArrayList<>(result.diagnostics());
        Policies.Loaded policy = policyPaths.isEmpty() ? null : Policies.load(policyPaths);
        if (policy != null) {
            diagnostics.addAll(policy.diagnostics());
            if (!policy.hasErrors()) {
                diagnostics.addAll(policy.policies().validate());
            }
        }
        boolean errors = diagnostics.stream().anyMatch(Diagnostic::isError);
        if (json) {
            terminal.out().println(DiagnosticsJson.render(diagnostics, !errors));
            return errors ? ExitCode.ERROR : ExitCode.OK;
        }
        boolean colour = terminal.colour() && !fleet.noColour;
        if (!diagnostics.isEmpty()) {
            terminal.err().print(new DiagnosticRenderer(colour).render(diagnostics));
        }
        if (errors) {
            return ExitCode.ERROR;
        }
        Fleet model = result.fleetOrThrow();
        // Joined, not printf: the first Formatter of a run loads the locale's number data, ~4% of this command.
        terminal.out().println("The fleet \"" + model.name() + "\" is valid: " + model.zones().size() + " zones, "
                + model.serviceCount() + " services, " + model.instanceCount() + " instances in "
                + model.idcs().size() + " IDCs.");
        if (policy != null) {
            int rules = policy.policies().size();
            terminal.out().println("The policy is valid: " + rules + (rules == 1 ? " rule." : " rules."));
        }
        return ExitCode.OK;
    }
}
