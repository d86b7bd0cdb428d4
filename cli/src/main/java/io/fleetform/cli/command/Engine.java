package io.fleetform.cli.command;

import io.fleetform.cli.CliException;
import io.fleetform.cli.ExitCode;
import io.fleetform.cli.Terminal;
import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.dsl.diag.DiagnosticRenderer;
import io.fleetform.engine.provider.ProviderRegistry;
import io.fleetform.engine.run.Workspace;
import io.fleetform.engine.state.LockInfo;
import io.fleetform.engine.state.StateException;
import io.fleetform.engine.state.StateLock;
import java.nio.file.Path;
import java.util.List;

/** What the engine commands share: building the workspace, reporting diagnostics, taking the lock. */
final class Engine {
    private Engine() {
    }

    static Workspace workspace(FleetOptions fleet, StateOptions state, Terminal terminal) {
        Path dir = fleet.dir;
        return new Workspace(dir, fleet.evalOptions(terminal.environment()), state.open(dir),
                ProviderRegistry.fromClassPath());
    }

    static Workspace workspace(FleetSource source, FleetOptions fleet, StateOptions state, Terminal terminal) {
        return new Workspace(source.fleetDir(), source.workDir(), source.userCode(),
                fleet.evalOptions(terminal.environment()), state.open(source.workDir()), ProviderRegistry.fromClassPath());
    }

    /** Prints diagnostics; throws (exit 1) if any is an error. */
    static void report(List<Diagnostic> diagnostics, FleetOptions fleet, Terminal terminal) {
        if (!diagnostics.isEmpty()) {
            terminal.err().print(new DiagnosticRenderer(terminal.colour() && !fleet.noColour).render(
                    diagnostics.stream().sorted(Diagnostic.ORDER).toList()));
        }
        if (diagnostics.stream().anyMatch(Diagnostic::isError)) {
            throw new CliException(ExitCode.ERROR, "");
        }
    }

    static StateLock lock(Workspace workspace, String operation) {
        try {
            return workspace.backend().lock(LockInfo.forOperation(operation));
        } catch (StateException e) {
            throw new CliException(ExitCode.ERROR, e.getMessage());
        }
    }

    static void unlock(StateLock lock) {
        try {
            lock.close();
        } catch (StateException e) {
            throw new CliException(ExitCode.ERROR, "releasing the state lock failed: " + e.getMessage());
        }
    }
}
