package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;
import java.util.Optional;

/** {@code [for k, v in collection : value if condition]}. */
public record ListFor(Optional<Identifier> keyVar, Identifier valueVar, Expression collection, Expression value,
        Optional<Expression> condition, SourceSpan span) implements Expression {
}
