package io.fleetform.cli.command;

import io.fleetform.cli.ExitCode;
import io.fleetform.cli.Terminal;
import io.fleetform.cli.render.DiagnosticsJson;
import io.fleetform.cli.render.ModelJson;
import io.fleetform.cli.render.ModelText;
import io.fleetform.dsl.diag.DiagnosticRenderer;
import io.fleetform.engine.load.LoadResult;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fleetform inspect [DIR] [--json]}: the evaluated fleet model, as people or machines read it. */
@Command(name = "inspect", description = "Show the evaluated fleet: zones, services, placement inputs, rollouts.")
final class InspectCommand implements Callable<Integer>, TerminalAware {
    @Mixin
    FleetOptions fleet;

    @Mixin
    SourceOptions source;

    @Option(names = "--json", description = "The model as versioned JSON.")
    boolean json;

    private Terminal terminal;

    @Override
    public void terminal(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        try (FleetSource files = source.open(fleet, terminal.environment(), java.util.List.of())) {
            return inspect(files.load(fleet.evalOptions(terminal.environment())));
        }
    }

    private int inspect(LoadResult result) {
        if (result.hasErrors()) {
            if (json) {
                terminal.out().println(DiagnosticsJson.render(result.diagnostics(), false));
            } else {
                terminal.err().print(new DiagnosticRenderer(terminal.colour() && !fleet.noColour)
                        .render(result.diagnostics()));
            }
            return ExitCode.ERROR;
        }
        if (!result.diagnostics().isEmpty() && !json) {
            terminal.err().print(new DiagnosticRenderer(terminal.colour() && !fleet.noColour)
                    .render(result.diagnostics()));
        }
        if (json) {
            ModelJson.write(result.fleetOrThrow(), terminal.out());
            terminal.out().print("\n");
        } else {
            terminal.out().print(ModelText.render(result.fleetOrThrow()));
        }
        return ExitCode.OK;
    }
}
