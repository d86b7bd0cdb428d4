package io.fleetform.dsl.diag;

import io.fleetform.dsl.source.SourceSpan;
import java.util.Comparator;

/**
 * One problem in the user's files: what is wrong, where, and (when we know) how to fix it.
 * Creating a diagnostic and rendering it are separate; see {@link DiagnosticRenderer}.
 *
 * @param code a stable identifier (e.g. {@code unknown-unit}) for tooling and tests
 * @param hint text printed under the caret, or empty
 */
public record Diagnostic(Severity severity, String code, String message, SourceSpan span, String hint) {

    public static final Comparator<Diagnostic> ORDER = Comparator
            .comparing((Diagnostic d) -> d.span().file().path())
            .thenComparingInt(d -> d.span().offset())
            .thenComparing(Diagnostic::severity)
            .thenComparing(Diagnostic::message);

    public Diagnostic {
        hint = hint == null ? "" : hint;
    }

    public static Diagnostic error(String code, SourceSpan span, String message, String hint) {
        return new Diagnostic(Severity.ERROR, code, message, span, hint);
    }

    public static Diagnostic warning(String code, SourceSpan span, String message, String hint) {
        return new Diagnostic(Severity.WARNING, code, message, span, hint);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    @Override
    public String toString() {
        return span.location() + ": " + severity.label() + ": " + message;
    }
}
