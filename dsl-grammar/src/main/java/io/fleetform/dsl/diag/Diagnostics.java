package io.fleetform.dsl.diag;

import io.fleetform.dsl.source.SourceSpan;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Collects the diagnostics of one run. Phases add to it and keep going, so a user sees
 * every mistake of a run at once, sorted by file and position. Safe to add to from several
 * threads (the evaluator may build a large fleet's zones in parallel); the order of adds is kept.
 */
public final class Diagnostics {
    private final List<Diagnostic> items = new ArrayList<>();

    public synchronized void add(Diagnostic diagnostic) {
        items.add(diagnostic);
    }

    public synchronized void addAll(Collection<Diagnostic> diagnostics) {
        items.addAll(diagnostics);
    }

    /** Adds the diagnostics of {@code other} (one a helper thread filled), in its order. */
    public void addAll(Diagnostics other) {
        List<Diagnostic> taken;
        synchronized (other) {
            taken = new ArrayList<>(other.items);
        }
        addAll(taken);
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
    public synchronized void replaceAll(java.util.function.UnaryOperator<Diagnostic> rewrite) {
        items.replaceAll(rewrite);
    }

    public synchronized boolean hasErrors() {
        for (Diagnostic d : items) {
            if (d.isError()) {
                return true;
            }
        }
        return false;
    }

    public synchronized int size() {
        return items.size();
    }

    /** A copy holding the same diagnostics, to which a trial run can add without touching this one. */
    public synchronized Diagnostics copy() {
        Diagnostics copy = new Diagnostics();
        copy.items.addAll(items);
        return copy;
    }

    /** Takes over the diagnostics of {@code other} (a {@link #copy()} a trial run added to), in its order. */
    public void setAll(Diagnostics other) {
        List<Diagnostic> taken;
        synchronized (other) {
            taken = new ArrayList<>(other.items);
        }
        synchronized (this) {
            items.clear();
            items.addAll(taken);
        }
    }

    /** Every diagnostic in the order added (duplicates kept). */
    public synchronized List<Diagnostic> inOrder() {
        return List.copyOf(items);
    }

    /** Sorted, without exact duplicates (the same mistake reached twice is reported once). */
    public synchronized List<Diagnostic> sorted() {
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
