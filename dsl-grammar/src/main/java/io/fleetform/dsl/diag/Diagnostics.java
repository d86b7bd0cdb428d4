package io.fleetform.dsl.diag;

import io.fleetform.dsl.source.SourceSpan;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Collects the diagnostics of one run. Phases add to it and keep going, so a user sees
 * every mistake of a run at once, sorted by file and position.
 */
public final class Diagnostics {
    private final List<Diagnostic> items = new ArrayList<>();

    public void add(Diagnostic diagnostic) {
        items.add(diagnostic);
    }

    public void addAll(Collection<Diagnostic> diagnostics) {
        items.addAll(diagnostics);
    }

    public void error(String code, SourceSpan span, String message) {
        add(Diagnostic.error(code, span, message, ""));
    }

    public void error(String code, SourceSpan span, String message, String hint) {
        add(Diagnostic.error(code, span, message, hint));
    }

    public void warning(String code, SourceSpan span, String message, String hint) {
        add(Diagnostic.warning(code, span, message, hint));
    }

    /** Rewrites every diagnostic, e.g. to move one found in a library to the user's call of it. */
    public void replaceAll(java.util.function.UnaryOperator<Diagnostic> rewrite) {
        items.replaceAll(rewrite);
    }

    public boolean hasErrors() {
        for (Diagnostic d : items) {
            if (d.isError()) {
                return true;
            }
        }
        return false;
    }

    public int size() {
        return items.size();
    }

    /** Sorted, without exact duplicates (the same mistake reached twice is reported once). */
    public List<Diagnostic> sorted() {
        List<Diagnostic> result = new ArrayList<>();
        items.stream().sorted(Diagnostic.ORDER).forEach(d -> {
            boolean seen = result.stream().anyMatch(r -> r.code().equals(d.code())
                    && (r.message().equals(d.message()) || !r.span().isNone() && r.span().length() > 0
                            && r.span().length() == d.span().length() && d.code().equals("unknown-unit"))
                    && r.span().offset() == d.span().offset()
                    && r.span().file() == d.span().file());
            if (!seen) {
                result.add(d);
            }
        });
        return result;
    }
}
