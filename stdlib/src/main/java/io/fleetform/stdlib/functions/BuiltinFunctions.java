package io.fleetform.stdlib.functions;

import io.fleetform.engine.eval.function.FleetFunction;
import java.util.ArrayList;
import java.util.List;

/** Every built-in function, by area. */
public final class BuiltinFunctions {
    private BuiltinFunctions() {
    }

    public static List<FleetFunction> all() {
        List<FleetFunction> all = new ArrayList<>();
        all.addAll(StringFunctions.all());
        all.addAll(CollectionFunctions.all());
        all.addAll(NumberFunctions.all());
        all.addAll(NetworkFunctions.all());
        all.addAll(FileFunctions.all());
        all.addAll(EncodingFunctions.all());
        all.addAll(TimeFunctions.all());
        all.addAll(SecretFunctions.all());
        return List.copyOf(all);
    }
}
