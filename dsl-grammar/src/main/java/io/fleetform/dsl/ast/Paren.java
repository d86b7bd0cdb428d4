package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;

/** Kept so that the formatter writes back what the user wrote. */
public record Paren(Expression inner, SourceSpan span) implements Expression {
}
