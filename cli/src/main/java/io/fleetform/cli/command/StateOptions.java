package io.fleetform.cli.command;

import io.fleetform.cli.CliException;
import io.fleetform.cli.ExitCode;
import io.fleetform.engine.state.StateBackend;
import io.fleetform.engine.state.StateBackendFactory;
import io.fleetform.engine.state.StateEncryption;
import io.fleetform.engine.state.StateException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import picocli.CommandLine.Option;

/**
 * Where the state is: the local backend by default ({@code DIR/.fleetform/state.json}), or the
 * one named by {@code --backend} / {@code FLEETFORM_BACKEND}, with settings from
 * {@code FLEETFORM_BACKEND_CONFIG_<KEY>} and then {@code -backend-config key=value} (so CI can
 * inject them). Credentials are never settings: each backend reads them from the environment or files.
 */
final class StateOptions implements TerminalAware {
    private Map<String, String> environment = System.getenv();

    @Override
    public void terminal(io.fleetform.cli.Terminal terminal) {
        this.environment = terminal.environment();
    }

    @Option(names = "--state", paramLabel = "PATH", description = "State file (local backend); default DIR/.fleetform/state.json.")
    Path statePath;

    @Option(names = "--backend", paramLabel = "NAME", description = "State backend: local (default), git; "
            + "or FLEETFORM_BACKEND.")
    String backend;

    @Option(names = {"-backend-config", "--backend-config"}, paramLabel = "KEY=VALUE", description = "A backend "
            + "setting, e.g. url=ssh://git@host/ops/state.git; repeatable; or FLEETFORM_BACKEND_CONFIG_<KEY>.")
    List<String> backendConfig = new ArrayList<>();

    /** --backend, then FLEETFORM_BACKEND, then the fleet's state block, then local. */
    String backendName(Optional<StateBlock> block) {
        if (backend != null) {
            return backend;
        }
        String fromEnv = environment.get("FLEETFORM_BACKEND");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        return block.map(StateBlock::backend).orElse("local");
    }

    /** The state block's settings (if it names the backend used), then the environment's, then -backend-config. */
    Map<String, String> settings(String name, Optional<StateBlock> block) {
        Map<String, String> settings = new TreeMap<>();
        block.filter(b -> b.backend().equals(name)).ifPresent(b -> settings.putAll(b.settings()));
        for (Map.Entry<String, String> e : environment.entrySet()) {
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
        return open(dir, encryption());
    }

    /** The state keys this command's environment names. */
    StateEncryption encryption() {
        return encryption(environment);
    }

    /** The backend, storing the state as {@code encryption} says. */
    StateBackend open(Path dir, StateEncryption encryption) {
        Optional<StateBlock> block = StateBlock.in(dir);
        String name = backendName(block);
        return open(dir, name, settings(name, block), encryption);
    }

    /** The state keys the environment names (FLEETFORM_STATE_PASSPHRASE, …); none if it names none. */
    static StateEncryption encryption(Map<String, String> environment) {
        try {
            return StateEncryption.fromEnvironment(environment);
        } catch (StateException e) {
            throw new CliException(ExitCode.ERROR, e.getMessage());
        }
    }

    /** Saved plan files: encrypted like the state when a key is set; a plain one is still read. */
    byte[] sealPlan(byte[] plan) {
        return encryption().seal(plan);
    }

    byte[] openPlan(byte[] stored, Path file) {
        try {
            StateEncryption encryption = encryption();
            return (encryption.mode() == StateEncryption.Mode.OFF ? encryption
                    : encryption.withMode(StateEncryption.Mode.ENCRYPTING)).open(stored, "plan " + file);
        } catch (StateException e) {
            throw new CliException(ExitCode.ERROR, e.getMessage());
        }
    }

    static StateBackend open(Path dir, String name, Map<String, String> settings, StateEncryption encryption) {
        List<String> installed = new ArrayList<>();
        for (StateBackendFactory factory : io.fleetform.engine.spi.Implementations.of(StateBackendFactory.class)) {
            installed.add(factory.name());
            if (factory.name().equals(name)) {
                try {
                    return factory.create(dir, settings, encryption);
                } catch (StateException e) {
                    throw new CliException(ExitCode.ERROR, e.getMessage());
                }
            }
        }
        throw new CliException(ExitCode.ERROR, "no state backend named \"" + name + "\" is installed (installed: "
                + String.join(", ", installed) + ")");
    }
}
