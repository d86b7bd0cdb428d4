package io.fleetform.engine.model;

import io.fleetform.dsl.source.SourceSpan;

/** A rename: state at {@code from} now belongs to {@code to}, nothing is destroyed. */
public record Moved(String from, String to, SourceSpan span) {
}
