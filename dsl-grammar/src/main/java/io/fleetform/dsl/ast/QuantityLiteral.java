package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;
import java.math.BigDecimal;

/**
 * A number with a unit: {@code 16Gi}, {@code 500m}, {@code 100MB/s}, {@code 8 cores}. The unit is
 * checked by the evaluator, which knows what the value is for and can suggest the right unit.
 */
public record QuantityLiteral(BigDecimal amount, String unit, String text, SourceSpan span) implements Expression {
}
