package io.fleetform.cli.command;

import io.fleetform.cli.ExitCode;
import io.fleetform.cli.Terminal;
import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.engine.load.LoadResult;
import io.fleetform.provider.kubernetes.KubernetesRender;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code fleetform render [DIR]}: the Kubernetes manifests the fleet becomes, as YAML (like
 * {@code helm template}); offline, images by tag; Secrets without their data unless
 * {@code --show-secrets}.
 */
@Command(name = "render", description = "Print the Kubernetes manifests of the fleet as YAML.")
final class RenderCommand implements Callable<Integer>, TerminalAware {
    @Mixin
    FleetOptions fleet;

    @Mixin
    SourceOptions source;

    @Option(names = "--show-secrets", description = "Print Secrets' data (base64, as Kubernetes takes it); "
            + "without it the data is left out, with a comment naming the keys.")
    boolean showSecrets;

    private Terminal terminal;

    @Override
    public void terminal(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        try (FleetSource files = source.open(fleet, terminal.environment(), List.of())) {
            return render(files);
        }
    }

    private int render(FleetSource files) {
        var options = fleet.evalOptions(terminal.environment());
        LoadResult result = files.load(showSecrets ? options.requiringSecrets() : options);
        List<Diagnostic> diagnostics = new ArrayList<>(result.diagnostics());
        KubernetesRender.Output out = result.hasErrors() ? null
                : KubernetesRender.render(result.fleetOrThrow(), terminal.environment(), Map.of(),
                showSecrets);
        if (out != null) {
            diagnostics.addAll(out.diagnostics());
        }
        Engine.report(diagnostics, fleet, terminal);
        terminal.out().print(out.yaml());
        return ExitCode.OK;
    }
}
