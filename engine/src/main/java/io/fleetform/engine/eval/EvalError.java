package io.fleetform.engine.eval;

import io.fleetform.dsl.diag.Diagnostic;

/**
 * A mistake found while computing a value. Thrown inside an expression, caught where an
 * attribute's value is computed, reported once, and replaced by an error value there.
 */
public final class EvalError extends RuntimeException {
    private final transient Diagnostic diagnostic;
    private final String sensitiveSource;

    public EvalError(Diagnostic diagnostic) {
        this(diagnostic, null);
    }

    /**
     * @param sensitiveSource where the secret came from when whether this fails depends on one (null: it does not):
     *                        {@code try} and {@code can} then answer with a sensitive value, not a plain one
     */
    public EvalError(Diagnostic diagnostic, String sensitiveSource) {
        super(diagnostic.message(), null, false, false);
        this.diagnostic = diagnostic;
        this.sensitiveSource = sensitiveSource;
    }

    /** Where the secret this failure depends on came from, or null. */
    public String sensitiveSource() {
        return sensitiveSource;
    }

    /** This failure, depending on the secret from {@code source} too (this one if it already says one). */
    EvalError dependingOn(String source) {
        return source == null || sensitiveSource != null ? this : new EvalError(diagnostic, source);
    }

    public Diagnostic diagnostic() {
        return diagnostic;
    }
}
