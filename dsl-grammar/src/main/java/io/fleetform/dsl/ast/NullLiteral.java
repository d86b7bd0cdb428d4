package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;

public record NullLiteral(SourceSpan span) implements Expression {
}
