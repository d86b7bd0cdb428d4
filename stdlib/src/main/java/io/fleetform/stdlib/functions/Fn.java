package io.fleetform.stdlib.functions;

import io.fleetform.engine.eval.function.CallContext;
import io.fleetform.engine.eval.function.FleetFunction;
import io.fleetform.engine.eval.function.FunctionError;
import io.fleetform.engine.value.Value;
import java.util.List;

/** A built-in function: a name, a signature for help text, an arity and a body. */
record Fn(String name, String signature, int minArgs, int maxArgs, Body body, boolean acceptsUnknown,
          boolean seesSecrets, boolean movesValues) implements FleetFunction {

    @FunctionalInterface
    interface Body {
        Value apply(Args args, CallContext context) throws FunctionError;
    }

    static Fn of(String signature, int minArgs, int maxArgs, Body body) {
        return new Fn(signature.substring(0, signature.indexOf('(')), signature, minArgs, maxArgs, body, false, false,
                false);
    }

    Fn acceptingUnknown() {
        return new Fn(name, signature, minArgs, maxArgs, body, true, seesSecrets, movesValues);
    }

    Fn seeingSecrets() {
        return new Fn(name, signature, minArgs, maxArgs, body, acceptsUnknown, true, movesValues);
    }

    /** See {@link FleetFunction#movesValues()}: only for a body that never looks at an element's value. */
    Fn movingValues() {
        return new Fn(name, signature, minArgs, maxArgs, body, acceptsUnknown, seesSecrets, true);
    }

    @Override
    public Value call(List<Value> args, CallContext context) throws FunctionError {
        if (args.size() < minArgs || args.size() > maxArgs) {
            String expected = minArgs == maxArgs ? Integer.toString(minArgs)
                    : maxArgs == Integer.MAX_VALUE ? "at least " + minArgs : minArgs + " to " + maxArgs;
            throw new FunctionError("takes " + expected + " argument" + (expected.equals("1") ? "" : "s") + ", got "
                    + args.size(), -1, "usage: " + signature);
        }
        try {
            return body.apply(new Args(args), context);
        } catch (ArithmeticException | java.time.DateTimeException | IllegalArgumentException
                 | IndexOutOfBoundsException e) {
            // Java's own refusal of an argument (a date out of range, an overflow): the argument's fault.
            throw new FunctionError("cannot compute this: " + e.getMessage(), -1, "usage: " + signature);
        }
    }
}
