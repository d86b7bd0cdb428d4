package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;
import java.util.List;

public record ListExpr(List<Expression> elements, SourceSpan span) implements Expression {
    public ListExpr {
        elements = List.copyOf(elements);
    }
}
