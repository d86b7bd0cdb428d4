package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;

public record AsClause(Identifier name, SourceSpan span) implements Clause {
}
