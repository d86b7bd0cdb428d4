package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;

/** Every syntax node knows where it came from. Spans do not take part in equality. */
public sealed interface Node permits BodyItem, Expression, Clause, Label, Identifier, Body, MapEntry, StringPart {
    SourceSpan span();
}
