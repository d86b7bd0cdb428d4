package io.fleetform.engine.eval;

import io.fleetform.dsl.diag.Diagnostic;

/**
 * A mistake found while computing a value. Thrown inside an expression, caught where an
 * attribute's value is computed, reported once, and replaced by an error value there.
 */
public final class EvalError extends RuntimeException {
    private final transient Diagnostic diagnostic;

    public EvalError(Diagnostic diagnostic) {
        super(diagnostic.message(), null, false, false);
        this.diagnostic = diagnostic;
    }

    public Diagnostic diagnostic() {
        return diagnostic;
    }
}
