package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;

/** {@code 8 cores pinned}: exclusive cores on one NUMA node. */
public record Pinned(Expression cpu, SourceSpan span) implements Expression {
}
