package io.fleetform.cli.command;

import io.fleetform.cli.Terminal;
import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.graph.ResourceGraph;
import io.fleetform.engine.resource.Resource;
import io.fleetform.engine.run.Workspace;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code fleetform graph [DIR]}: the resources and their dependencies in DOT (Graphviz). */
@Command(name = "graph", description = "Print the resource dependency graph in DOT.")
final class GraphCommand implements Callable<Integer>, TerminalAware {
    @Mixin
    FleetOptions fleet;

    @Mixin
    StateOptions state;

    @Mixin
    SourceOptions source;

    private Terminal terminal;

    @Override
    public void terminal(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        try (FleetSource files = source.open(fleet, terminal.environment(), List.of());
             Workspace workspace = Engine.workspace(files, fleet, state, terminal)) {
            return call(workspace);
        }
    }

    /** The command with its workspace, whose provider sessions close when it ends. */
    private Integer call(Workspace workspace) {
        Workspace.Outcome<Workspace.Configuration> configuration = workspace.configuration();
        Engine.report(configuration.diagnostics(), fleet, terminal);
        Map<ResourceAddress, List<ResourceAddress>> deps = new LinkedHashMap<>();
        for (Resource r : configuration.value().desired()) {
            deps.put(r.address(), r.dependsOn());
        }
        terminal.out().print(ResourceGraph.of(deps).toDot());
        return io.fleetform.cli.ExitCode.OK;
    }
}
