package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;
import java.util.Optional;

/** {@code {for k, v in collection : key => value if condition}}. */
public record MapFor(Optional<Identifier> keyVar, Identifier valueVar, Expression collection, Expression key,
        Expression value, Optional<Expression> condition, SourceSpan span) implements Expression {
}
