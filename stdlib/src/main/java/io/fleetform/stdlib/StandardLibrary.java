package io.fleetform.stdlib;

import io.fleetform.engine.eval.function.FleetFunction;
import io.fleetform.engine.eval.function.FunctionLibrary;
import io.fleetform.stdlib.functions.BuiltinFunctions;
import java.util.List;

/** The built-in functions, found by the engine through {@link java.util.ServiceLoader}. */
public final class StandardLibrary implements FunctionLibrary {
    @Override
    public List<FleetFunction> functions() {
        return BuiltinFunctions.all();
    }
}
