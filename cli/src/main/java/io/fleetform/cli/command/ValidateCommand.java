package io.fleetform.cli.command;

import io.fleetform.cli.ExitCode;
import io.fleetform.cli.Terminal;
import io.fleetform.cli.render.DiagnosticsJson;
import io.fleetform.dsl.diag.DiagnosticRenderer;
import io.fleetform.engine.load.LoadResult;
import io.fleetform.engine.model.Fleet;
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
        if (json) {
            terminal.out().println(DiagnosticsJson.render(result.diagnostics(), !result.hasErrors()));
            return result.hasErrors() ? ExitCode.ERROR : ExitCode.OK;
        }
        boolean colour = terminal.colour() && !fleet.noColour;
        if (!result.diagnostics().isEmpty()) {
            terminal.err().print(new DiagnosticRenderer(colour).render(result.diagnostics()));
        }
        if (result.hasErrors()) {
            return ExitCode.ERROR;
        }
        Fleet model = result.fleetOrThrow();
        terminal.out().printf("The fleet \"%s\" is valid: %d zones, %d services, %d instances in %d IDCs.%n",
                model.name(), model.zones().size(), model.serviceCount(), model.instanceCount(), model.idcs().size());
        return ExitCode.OK;
    }
}
