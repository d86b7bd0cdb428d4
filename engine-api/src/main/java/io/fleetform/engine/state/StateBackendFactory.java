package io.fleetform.engine.state;

import java.nio.file.Path;
import java.util.Map;

/** Creates a backend by name ({@code local}, {@code git}, ...); found with {@link java.util.ServiceLoader}. */
public interface StateBackendFactory {

    String name();

    /**
     * @param workingDir the fleet folder, for backends that keep files beside it
     * @param settings   backend settings, e.g. {@code path} for local
     */
    StateBackend create(Path workingDir, Map<String, String> settings) throws StateException;
}
