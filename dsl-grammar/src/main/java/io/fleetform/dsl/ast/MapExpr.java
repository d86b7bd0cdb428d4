package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;
import java.util.List;

public record MapExpr(List<MapEntry> entries, SourceSpan span) implements Expression {
    public MapExpr {
        entries = List.copyOf(entries);
    }
}
