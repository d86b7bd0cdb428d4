package io.fleetform.dsl.ast;

/** What a body holds: attributes and nested blocks. */
public sealed interface BodyItem extends Node permits Attribute, Block {
}
