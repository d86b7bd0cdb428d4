package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;

/** {@code 200Gi at "/data"}: a disk of a size mounted at a path. */
public record Mount(Expression size, Expression path, SourceSpan span) implements Expression {
}
