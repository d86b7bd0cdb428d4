package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;

public record Unary(Operator op, Expression operand, SourceSpan span) implements Expression {
    public enum Operator {
        NEGATE("-"), NOT("!");

        public final String symbol;

        Operator(String symbol) {
            this.symbol = symbol;
        }
    }
}
