package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;

/** {@code name = value}. */
public record Attribute(Identifier name, Expression value, SourceSpan span) implements BodyItem {
}
