package io.fleetform.engine.value;

import io.fleetform.dsl.source.SourceSpan;
import java.util.List;
import java.util.function.Supplier;

/**
 * A bare name that is not a variable in scope: an enumeration word such as {@code bridge},
 * {@code host} or {@code healthy}. Where a symbol ends up in a place that wants something
 * else, it was probably a misspelt name, so it remembers where it was and which names were
 * in scope, for the "did you mean" of the message.
 */
public record SymbolValue(String name, SourceSpan span, Supplier<List<String>> namesInScope) implements Value {
    @Override
    public String typeName() {
        return "name";
    }

    @Override
    public String display() {
        return name;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SymbolValue s && s.name.equals(name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }
}
