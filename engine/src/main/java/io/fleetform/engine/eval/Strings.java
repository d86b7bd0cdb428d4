package io.fleetform.engine.eval;

import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.value.BoolValue;
import io.fleetform.engine.value.NumberValue;
import io.fleetform.engine.value.QuantityValue;
import io.fleetform.engine.value.RefValue;
import io.fleetform.engine.value.StringValue;
import io.fleetform.engine.value.SymbolValue;
import io.fleetform.engine.value.Value;

/** How values read inside {@code "${...}"}. */
final class Strings {
    private Strings() {
    }

    static String interpolate(Value value, SourceSpan span) {
        if (value instanceof StringValue s) {
            return s.value();
        }
        if (value instanceof NumberValue n) {
            return n.display();
        }
        if (value instanceof QuantityValue q) {
            return q.display();
        }
        if (value instanceof BoolValue b) {
            return b.display();
        }
        if (value instanceof SymbolValue s) {
            return s.name();
        }
        if (value instanceof RefValue r) {
            return r.entity().name();
        }
        throw Operators.error("type-mismatch", span, "cannot put " + Operators.article(value.typeName())
                + " into a string", value.typeName().equals("null") ? "use a default: coalesce(x, \"\")"
                : "use join() or jsonencode() for lists and maps");
    }
}
