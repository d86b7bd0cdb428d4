package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;

/** A block label: quoted ({@code "mt2"}) or bare ({@code sriov}). */
public record Label(String value, boolean quoted, SourceSpan span) implements Node {
}
