package io.fleetform.engine.eval;

import io.fleetform.dsl.ast.Expression;
import io.fleetform.engine.value.ErrorValue;
import io.fleetform.engine.value.RefValue;
import io.fleetform.engine.value.Value;
import java.util.List;

/** Resolves {@code from template.x} to the template's layers (its own and what it extends). */
final class TemplateLayers {
    private TemplateLayers() {
    }

    static List<Layer> of(EvalContext context, String key, Expression from, Scope scope) {
        return of(context, key, () -> key, from, scope);
    }

    /** As above, with a key compared cheaply and a name built only to describe a cycle. */
    static List<Layer> of(EvalContext context, Object key, java.util.function.Supplier<String> name, Expression from,
                          Scope scope) {
        Value value = context.compute(key, name, "from", from, scope);
        if (value instanceof ErrorValue) {
            return List.of();
        }
        if (value instanceof RefValue ref && ref.entity() instanceof DeclaredEntity template
                && template.kind().equals("template")) {
            return template.layers();
        }
        context.diagnostics().error("not-a-template", from.span(), "'from' takes a template, found "
                + Operators.article(value.typeName()), "write it as: from template.logic");
        return List.of();
    }
}
