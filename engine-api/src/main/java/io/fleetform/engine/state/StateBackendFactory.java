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

    /**
     * A backend whose state (and journal) is stored as {@code encryption} says. Backends that
     * cannot encrypt refuse any mode but {@link StateEncryption.Mode#OFF}.
     */
    default StateBackend create(Path workingDir, Map<String, String> settings, StateEncryption encryption)
            throws StateException {
        if (encryption.mode() != StateEncryption.Mode.OFF) {
            throw new StateException("state backend \"" + name() + "\" cannot encrypt the state");
        }
        return create(workingDir, settings);
    }
}
