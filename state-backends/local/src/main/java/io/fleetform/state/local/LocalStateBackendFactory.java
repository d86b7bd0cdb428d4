package io.fleetform.state.local;

import io.fleetform.engine.state.StateBackend;
import io.fleetform.engine.state.StateBackendFactory;
import io.fleetform.engine.state.StateException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/** {@code backend "local" { path = "…" }}: the state in a file, relative to the fleet folder. */
public final class LocalStateBackendFactory implements StateBackendFactory {
    public static final String NAME = "local";
    public static final String DEFAULT_PATH = ".fleetform/state.json";
    private static final Set<String> SETTINGS = Set.of("path");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public StateBackend create(Path workingDir, Map<String, String> settings) throws StateException {
        return create(workingDir, settings, io.fleetform.engine.state.StateEncryption.none());
    }

    @Override
    public StateBackend create(Path workingDir, Map<String, String> settings,
                               io.fleetform.engine.state.StateEncryption encryption) throws StateException {
        for (String key : settings.keySet()) {
            if (!SETTINGS.contains(key)) {
                throw new StateException("backend \"local\" has no setting \"" + key + "\"; it takes: path");
            }
        }
        String path = settings.getOrDefault("path", DEFAULT_PATH);
        Path file;
        try {
            file = workingDir.resolve(path);
        } catch (InvalidPathException e) {
            throw new StateException("backend \"local\": path \"" + path + "\" is not a valid path: " + e.getReason());
        }
        if (path.isBlank() || Files.isDirectory(file)) {
            throw new StateException("backend \"local\": path \"" + path + "\" must name the state file, e.g. "
                    + DEFAULT_PATH);
        }
        return new LocalStateBackend(file, encryption);
    }
}
