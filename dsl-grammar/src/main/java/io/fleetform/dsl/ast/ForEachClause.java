package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;

public record ForEachClause(Expression collection, SourceSpan span) implements Clause {
}
