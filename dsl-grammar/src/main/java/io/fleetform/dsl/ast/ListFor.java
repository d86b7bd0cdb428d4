package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;
import java.util.Optional;

/**
 * {@code [for k, v in collection : value if condition]}.
 *
 * @param splat written {@code collection[*].a.b}: the same as {@code [for x in collection : x.a.b]},
 *     with a variable no one can name; {@code fmt} writes it back as a splat
 */
public record ListFor(Optional<Identifier> keyVar, Identifier valueVar, Expression collection, Expression value,
        Optional<Expression> condition, boolean splat, SourceSpan span) implements Expression {

    /** The name of a splat's element: not an identifier, so it shadows nothing. */
    public static final String SPLAT_ELEMENT = "*";

    public ListFor(Optional<Identifier> keyVar, Identifier valueVar, Expression collection, Expression value,
            Optional<Expression> condition, SourceSpan span) {
        this(keyVar, valueVar, collection, value, condition, false, span);
    }
}
