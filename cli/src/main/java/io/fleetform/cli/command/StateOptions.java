package io.fleetform.cli.command;

import io.fleetform.cli.CliException;
import io.fleetform.cli.ExitCode;
import io.fleetform.engine.state.StateBackend;
import io.fleetform.engine.state.StateBackendFactory;
import io.fleetform.engine.state.StateException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import picocli.CommandLine.Option;

/** Where the state is: the local backend by default ({@code DIR/.fleetform/state.json}). */
final class StateOptions {
    @Option(names = "--state", paramLabel = "PATH", description = "State file (local backend); default DIR/.fleetform/state.json.")
    Path statePath;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "local", description = "State backend (default: local).")
    String backend;

    StateBackend open(Path dir) {
        Map<String, String> settings = new LinkedHashMap<>();
        if (statePath != null) {
            settings.put("path", statePath.toAbsolutePath().toString());
        }
        for (StateBackendFactory factory : ServiceLoader.load(StateBackendFactory.class)) {
            if (factory.name().equals(backend)) {
                try {
                    return factory.create(dir, settings);
                } catch (StateException e) {
                    throw new CliException(ExitCode.ERROR, e.getMessage());
                }
            }
        }
        throw new CliException(ExitCode.ERROR, "no state backend named \"" + backend + "\" is installed");
    }
}
