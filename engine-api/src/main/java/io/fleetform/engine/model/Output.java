package io.fleetform.engine.model;

import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.value.Value;

/** A value shown after apply; sensitive outputs are masked unless asked for by name. */
public record Output(String name, Value value, boolean sensitive, String description, SourceSpan span) {
}
