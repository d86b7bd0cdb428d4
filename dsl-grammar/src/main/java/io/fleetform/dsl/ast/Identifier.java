package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;

public record Identifier(String name, SourceSpan span) implements Node {
}
