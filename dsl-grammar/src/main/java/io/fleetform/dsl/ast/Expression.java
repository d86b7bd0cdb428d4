package io.fleetform.dsl.ast;

public sealed interface Expression extends Node
        permits NumberLiteral, QuantityLiteral, BoolLiteral, NullLiteral, TemplateString, Variable, GetAttr,
        IndexExpr, Call, Unary, Binary, Conditional, ListExpr, MapExpr, ListFor, MapFor, Pinned, Mount, Paren {
}
