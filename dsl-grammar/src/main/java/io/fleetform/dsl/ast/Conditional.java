package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;

/** {@code condition ? whenTrue : whenFalse}. */
public record Conditional(Expression condition, Expression whenTrue, Expression whenFalse, SourceSpan span)
        implements Expression {
}
