package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;

public record IfClause(Expression condition, SourceSpan span) implements Clause {
}
