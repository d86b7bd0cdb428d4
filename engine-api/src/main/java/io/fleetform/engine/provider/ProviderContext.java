package io.fleetform.engine.provider;

import java.nio.file.Path;
import java.util.Map;

/** What a provider may know about the run: the fleet folder and the environment. */
public record ProviderContext(Path fleetDir, Map<String, String> environment) {
    public ProviderContext {
        environment = Map.copyOf(environment);
    }
}
