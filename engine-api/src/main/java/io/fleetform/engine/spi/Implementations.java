package io.fleetform.engine.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Supplier;

/**
 * The implementations of one of Fleetform's service interfaces (function and module libraries,
 * providers, state backends): those {@link ServiceLoader} finds on the class path, unless the
 * program named them with {@link #use}.
 *
 * <p>Why a program would: {@link ServiceLoader} reads {@code META-INF/services} from every entry
 * of the class path, and the first read opens the command line's jar (33,000 entries), ~20–30 ms
 * of a short command whose classes all come from its class-data archive and which otherwise never
 * opens it. The command line names its implementations only when its launcher runs the jar it
 * built alone on the class path, whose service files are fixed when it is built (its tests hold the
 * list to them); any other class path (a test's, one with a provider of someone else's) is looked
 * up as before.
 */
public final class Implementations {
    private static volatile Map<Class<?>, List<Supplier<?>>> named = Map.of();

    private Implementations() {
    }

    /** From now on, these services answer with new instances from these suppliers instead of a look-up. */
    public static void use(Map<Class<?>, List<Supplier<?>>> implementations) {
        named = Map.copyOf(implementations);
    }

    /** New instances of every implementation of {@code service}, in the order they are found or named. */
    public static <S> List<S> of(Class<S> service) {
        List<Supplier<?>> suppliers = named.get(service);
        List<S> found = new ArrayList<>();
        if (suppliers == null) {
            ServiceLoader.load(service).forEach(found::add);
        } else {
            for (Supplier<?> supplier : suppliers) {
                found.add(service.cast(supplier.get()));
            }
        }
        return found;
    }
}
