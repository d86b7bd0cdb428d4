package io.fleetform.engine.eval.function;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The functions visible to a fleet: the libraries on the class path plus the fleet's own. */
public final class FunctionRegistry {
    private final Map<String, FleetFunction> functions;

    private FunctionRegistry(Map<String, FleetFunction> functions) {
        this.functions = Collections.unmodifiableMap(functions);
    }

    public static FunctionRegistry fromClassPath() {
        Map<String, FleetFunction> functions = new LinkedHashMap<>();
        for (FunctionLibrary library : io.fleetform.engine.spi.Implementations.of(FunctionLibrary.class)) {
            for (FleetFunction f : library.functions()) {
                functions.put(f.name(), f);
            }
        }
        return new FunctionRegistry(functions);
    }

    public static FunctionRegistry of(List<FleetFunction> list) {
        Map<String, FleetFunction> functions = new LinkedHashMap<>();
        list.forEach(f -> functions.put(f.name(), f));
        return new FunctionRegistry(functions);
    }

    /** This registry plus the given functions; the caller has checked they do not shadow built-ins. */
    public FunctionRegistry plus(Collection<FleetFunction> more) {
        Map<String, FleetFunction> combined = new LinkedHashMap<>(functions);
        more.forEach(f -> combined.put(f.name(), f));
        return new FunctionRegistry(combined);
    }

    public FleetFunction get(String name) {
        return functions.get(name);
    }

    public boolean contains(String name) {
        return functions.containsKey(name);
    }

    public Collection<String> names() {
        return functions.keySet();
    }

    public Collection<FleetFunction> all() {
        return functions.values();
    }
}
