package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;

/** A comment, kept beside the tree so that {@code fmt} can put it back. */
public record Comment(String text, SourceSpan span) {
}
