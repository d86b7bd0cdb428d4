package io.fleetform.engine.eval;

import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.value.ErrorValue;
import io.fleetform.engine.value.ListValue;
import io.fleetform.engine.value.MapValue;
import io.fleetform.engine.value.StringValue;
import io.fleetform.engine.value.UnknownValue;
import io.fleetform.engine.value.Value;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a {@code for_each} repeats over, by key: a list's string elements are their own keys
 * (other elements their index), a map's keys are its keys. The keys become names, so the
 * collection must be known before planning and neither it nor a list element may be sensitive.
 */
final class Repetition {
    private Repetition() {
    }

    /** The items by key; empty when the collection is unusable (reported, unless already an error). */
    static Map<String, Value> items(EvalContext context, Value collection, SourceSpan span, String what) {
        Map<String, Value> items = new LinkedHashMap<>();
        Value plain = collection.unwrap();
        if (plain instanceof ErrorValue) {
            return items;
        }
        if (collection.isSensitive() || plain instanceof UnknownValue) {
            context.diagnostics().error("for-each", span, "for_each needs a value known before planning and not"
                    + " sensitive", what + " are made from it and shown everywhere");
            return items;
        }
        if (plain instanceof ListValue list) {
            for (int i = 0; i < list.elements().size(); i++) {
                Value element = list.elements().get(i);
                if (element.isSensitive()) {
                    context.diagnostics().error("for-each", span, "for_each element " + i + " is sensitive, and "
                            + what + " are shown everywhere", "repeat over something that is not a secret");
                    return new LinkedHashMap<>();
                }
                String key = element instanceof StringValue s ? s.value() : Integer.toString(i);
                if (items.putIfAbsent(key, element) != null) {
                    context.diagnostics().error("for-each", span, "for_each holds \"" + key + "\" twice", what
                            + " must be unique");
                    return new LinkedHashMap<>();
                }
            }
            return items;
        }
        if (plain instanceof MapValue map) {
            items.putAll(map.entries());
            return items;
        }
        context.diagnostics().error("for-each", span, "for_each needs a list or a map, found "
                + Operators.article(plain.typeName()), "");
        return items;
    }
}
