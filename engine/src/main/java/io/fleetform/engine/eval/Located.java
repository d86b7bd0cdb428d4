package io.fleetform.engine.eval;

import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.value.Value;

/** A computed attribute value and where it was written, so type errors point at the right text. */
public record Located(String attribute, Value value, SourceSpan span) {
}
