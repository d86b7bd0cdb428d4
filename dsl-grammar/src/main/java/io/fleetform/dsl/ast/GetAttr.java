package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;

/** {@code target.name}. */
public record GetAttr(Expression target, Identifier name, SourceSpan span) implements Expression {
}
