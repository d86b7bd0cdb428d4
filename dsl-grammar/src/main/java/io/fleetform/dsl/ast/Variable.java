package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;

/** A bare name: a scope variable ({@code z}), a namespace ({@code var}, {@code idc}) or a symbol ({@code bridge}). */
public record Variable(String name, SourceSpan span) implements Expression {
}
