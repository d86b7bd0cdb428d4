package io.fleetform.cli;

import io.fleetform.engine.eval.function.FunctionLibrary;
import io.fleetform.engine.module.ModuleLibrary;
import io.fleetform.engine.provider.Provider;
import io.fleetform.engine.spi.Implementations;
import io.fleetform.engine.state.StateBackendFactory;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The implementations of Fleetform's service interfaces the command line's jar ships: what
 * {@code java.util.ServiceLoader} finds in the jar's merged {@code META-INF/services} files
 * (ShippedServicesTest holds the two to each other). Named, they spare a command the look-up, which
 * opens the jar (see {@link Implementations}); only when the launcher says the class path is that
 * jar alone, so a class path with anything else on it is looked up as before.
 */
final class ShippedServices {
    /** Set by the launcher ({@code ./fleetform}) when it runs the jar it built alone on the class path. */
    static final String PROPERTY = "fleetform.jar-alone";

    private ShippedServices() {
    }

    static Map<Class<?>, List<Supplier<?>>> all() {
        return Map.of(
                FunctionLibrary.class, List.of(io.fleetform.stdlib.StandardLibrary::new),
                ModuleLibrary.class, List.of(io.fleetform.stdlib.modules.StandardModules::new),
                Provider.class, List.of(io.fleetform.provider.host.provider.HostProvider::new,
                        io.fleetform.provider.registry.provider.RegistryProvider::new,
                        io.fleetform.provider.kubernetes.KubernetesProvider::new),
                StateBackendFactory.class, List.of(io.fleetform.state.local.LocalStateBackendFactory::new,
                        io.fleetform.state.git.GitStateBackendFactory::new,
                        io.fleetform.state.kubernetes.KubernetesStateBackendFactory::new));
    }

    /** Names them when the launcher said so. */
    static void useWhenJarAlone() {
        if (Boolean.getBoolean(PROPERTY)) {
            Implementations.use(all());
        }
    }
}
