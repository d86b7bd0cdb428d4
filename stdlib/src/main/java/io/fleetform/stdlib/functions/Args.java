package io.fleetform.stdlib.functions;

import io.fleetform.engine.eval.function.FunctionError;
import io.fleetform.engine.value.BoolValue;
import io.fleetform.engine.value.ListValue;
import io.fleetform.engine.value.MapValue;
import io.fleetform.engine.value.NumberValue;
import io.fleetform.engine.value.QuantityValue;
import io.fleetform.engine.value.StringValue;
import io.fleetform.engine.value.SymbolValue;
import io.fleetform.engine.value.Value;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/** Typed access to a call's arguments; a wrong type names the argument's position. */
final class Args {
    private final List<Value> values;

    Args(List<Value> values) {
        this.values = values;
    }

    int size() {
        return values.size();
    }

    Value get(int i) {
        return values.get(i);
    }

    List<Value> all() {
        return values;
    }

    String string(int i) throws FunctionError {
        Value v = values.get(i);
        if (v instanceof StringValue s) {
            return s.value();
        }
        if (v instanceof SymbolValue s) {
            throw new FunctionError("argument " + (i + 1) + " must be a string; \"" + s.name() + "\" is not defined",
                    i, "if you meant the text, write \"" + s.name() + "\"");
        }
        throw wrong(i, "a string");
    }

    BigDecimal number(int i) throws FunctionError {
        if (values.get(i) instanceof NumberValue n) {
            return n.value();
        }
        throw wrong(i, "a number");
    }

    int integer(int i) throws FunctionError {
        BigDecimal n = number(i);
        try {
            return n.intValueExact();
        } catch (ArithmeticException e) {
            throw FunctionError.at(i, "argument " + (i + 1) + " must be a whole number, got " + n.toPlainString());
        }
    }

    boolean bool(int i) throws FunctionError {
        if (values.get(i) instanceof BoolValue b) {
            return b.value();
        }
        throw wrong(i, "true or false");
    }

    List<Value> list(int i) throws FunctionError {
        if (values.get(i) instanceof ListValue l) {
            return l.elements();
        }
        throw wrong(i, "a list");
    }

    Map<String, Value> map(int i) throws FunctionError {
        if (values.get(i) instanceof MapValue m) {
            return m.entries();
        }
        throw wrong(i, "a map");
    }

    QuantityValue quantity(int i) throws FunctionError {
        if (values.get(i) instanceof QuantityValue q) {
            return q;
        }
        throw wrong(i, "a quantity such as 16Gi");
    }

    FunctionError wrong(int i, String expected) {
        Value v = values.get(i);
        String type = v.typeName();
        String article = "aeiou".indexOf(type.charAt(0)) >= 0 ? "an " : "a ";
        return FunctionError.at(i, "argument " + (i + 1) + " must be " + expected + ", got " + article + type);
    }
}
