package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;

/**
 * {@code key = value} inside a map. A bare-name key ({@code a = 1}) is a constant string, not a
 * variable; {@code bareKey} remembers how it was written for the formatter.
 */
public record MapEntry(TemplateString key, boolean bareKey, Expression value, SourceSpan span) implements Node {
}
