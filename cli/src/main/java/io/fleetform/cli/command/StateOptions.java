package io.fleetform.cli.command;

import io.fleetform.cli.CliException;
import io.fleetform.cli.ExitCode;
import io.fleetform.engine.state.StateBackend;
import io.fleetform.engine.state.StateBackendFactory;
import io.fleetform.engine.state.StateException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import picocli.CommandLine.Option;

/**
 * Where the state is: the local backend by default ({@code DIR/.fleetform/state.json}), or the
 * one named by {@code --backend} / {@code FLEETFORM_BACKEND}, with settings from
 * {@code FLEETFORM_BACKEND_CONFIG_<KEY>} and then {@code -backend-config key=value} (so CI can
 * inject them). Credentials are never settings: each backend reads them from the environment or files.
 */
final class StateOptions {
    @Option(names = "--state", paramLabel = "PATH", description = "State file (local backend); default DIR/.fleetform/state.json.")
    Path statePath;

    @Option(names = "--backend", paramLabel = "NAME", description = "State backend: local (default), git; "
            + "or FLEETFORM_BACKEND.")
    String backend;

    @Option(names = {"-backend-config", "--backend-config"}, paramLabel = "KEY=VALUE", description = "A backend "
            + "setting, e.g. url=ssh://git@host/ops/state.git; repeatable; or FLEETFORM_BACKEND_CONFIG_<KEY>.")
    List<String> backendConfig = new ArrayList<>();

    String backendName() {
        if (backend != null) {
            return backend;
        }
        String fromEnv = System.getenv("FLEETFORM_BACKEND");
        return fromEnv == null || fromEnv.isBlank() ? "local" : fromEnv;
    }

    Map<String, String> settings() {
        Map<String, String> settings = new TreeMap<>();
        for (Map.Entry<String, String> e : System.getenv().entrySet()) {
            if (e.getKey().startsWith("FLEETFORM_BACKEND_CONFIG_")) {
                settings.put(e.getKey().substring("FLEETFORM_BACKEND_CONFIG_".length()).toLowerCase(Locale.ROOT),
                        e.getValue());
            }
        }
        for (String pair : backendConfig) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new CliException(ExitCode.USAGE, "-backend-config takes KEY=VALUE, not \"" + pair + "\"");
            }
            settings.put(pair.substring(0, eq).strip(), pair.substring(eq + 1));
        }
        if (statePath != null) {
            settings.put("path", statePath.toAbsolutePath().toString());
        }
        return settings;
    }

    StateBackend open(Path dir) {
        String name = backendName();
        Map<String, String> settings = settings();
        return open(dir, name, settings);
    }

    static StateBackend open(Path dir, String name, Map<String, String> settings) {
        List<String> installed = new ArrayList<>();
        for (StateBackendFactory factory : ServiceLoader.load(StateBackendFactory.class)) {
            installed.add(factory.name());
            if (factory.name().equals(name)) {
                try {
                    return factory.create(dir, settings);
                } catch (StateException e) {
                    throw new CliException(ExitCode.ERROR, e.getMessage());
                }
            }
        }
        throw new CliException(ExitCode.ERROR, "no state backend named \"" + name + "\" is installed (installed: "
                + String.join(", ", installed) + ")");
    }
}
