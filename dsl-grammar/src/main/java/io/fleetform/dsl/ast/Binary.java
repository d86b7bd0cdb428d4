package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;

public record Binary(Operator op, Expression left, Expression right, SourceSpan span) implements Expression {

    public enum Operator {
        MULTIPLY("*", 6), DIVIDE("/", 6), MODULO("%", 6),
        ADD("+", 5), SUBTRACT("-", 5),
        LESS("<", 4), LESS_EQUAL("<=", 4), GREATER(">", 4), GREATER_EQUAL(">=", 4),
        EQUAL("==", 3), NOT_EQUAL("!=", 3),
        AND("&&", 2),
        OR("||", 1);

        public final String symbol;
        public final int precedence;

        Operator(String symbol, int precedence) {
            this.symbol = symbol;
            this.precedence = precedence;
        }

        /** values() copies its array on every call, once per operator of a parsed file. */
        private static final Operator[] ALL = values();

        public static Operator of(String symbol) {
            for (Operator op : ALL) {
                if (op.symbol.equals(symbol)) {
                    return op;
                }
            }
            throw new IllegalArgumentException(symbol);
        }
    }
}
