package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;

public sealed interface StringPart extends Node {

    /** @param value unescaped; @param raw as written */
    record Text(String value, String raw, SourceSpan span) implements StringPart {
    }

    record Interpolation(Expression expression, SourceSpan span) implements StringPart {
    }
}
