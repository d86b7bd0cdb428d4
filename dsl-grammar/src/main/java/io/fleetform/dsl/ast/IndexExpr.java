package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;

/** {@code target[index]}. */
public record IndexExpr(Expression target, Expression index, SourceSpan span) implements Expression {
}
