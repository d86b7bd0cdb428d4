package io.fleetform.dsl.ast;

/** Block header clauses: {@code from .. to ..}, {@code for_each ..}, {@code as ..}, {@code if ..}. */
public sealed interface Clause extends Node permits FromClause, ForEachClause, AsClause, IfClause {
}
