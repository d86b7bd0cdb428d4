package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;
import java.math.BigDecimal;

/** @param text as written, kept for the formatter */
public record NumberLiteral(BigDecimal value, String text, SourceSpan span) implements Expression {
}
