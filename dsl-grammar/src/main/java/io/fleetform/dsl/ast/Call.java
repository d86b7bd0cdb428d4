package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;
import java.util.List;

public record Call(Identifier function, List<Expression> arguments, SourceSpan span) implements Expression {
    public Call {
        arguments = List.copyOf(arguments);
    }
}
