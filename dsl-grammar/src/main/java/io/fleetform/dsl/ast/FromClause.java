package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;
import java.util.Optional;

/** {@code from 1 to 40} (a range) or {@code from template.logic} (inheritance). */
public record FromClause(Expression from, Optional<Expression> to, SourceSpan span) implements Clause {
    public boolean isRange() {
        return to.isPresent();
    }
}
