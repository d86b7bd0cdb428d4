package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;

public record BoolLiteral(boolean value, SourceSpan span) implements Expression {
}
