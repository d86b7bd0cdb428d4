package io.fleetform.engine.eval.function;

import java.util.List;

/** A set of functions found with {@link java.util.ServiceLoader}; the standard library is one. */
public interface FunctionLibrary {
    List<FleetFunction> functions();
}
