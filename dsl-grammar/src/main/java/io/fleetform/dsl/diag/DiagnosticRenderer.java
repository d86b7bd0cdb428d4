package io.fleetform.dsl.diag;

import io.fleetform.dsl.source.SourceSpan;
import java.util.List;

/**
 * Renders diagnostics for a terminal, in the shape users know from rustc and Pkl:
 * <pre>
 * error: unknown unit "Gb" for memory
 *   --> zones/mt2.fleet:14:13
 *    |
 * 14 |   memory  = 16Gb
 *    |             ^^^^ did you mean 16Gi (gibibytes) or 16G (gigabytes)?
 * </pre>
 */
public final class DiagnosticRenderer {
    private static final String RED = "\u001b[1;31m";
    private static final String YELLOW = "\u001b[1;33m";
    private static final String BLUE = "\u001b[1;34m";
    private static final String BOLD = "\u001b[1m";
    private static final String RESET = "\u001b[0m";

    private final boolean colour;

    public DiagnosticRenderer(boolean colour) {
        this.colour = colour;
    }

    public String render(List<Diagnostic> diagnostics) {
        StringBuilder out = new StringBuilder();
        for (Diagnostic d : diagnostics) {
            render(d, out);
            out.append('\n');
        }
        long errors = diagnostics.stream().filter(Diagnostic::isError).count();
        long warnings = diagnostics.size() - errors;
        if (errors > 0 || warnings > 0) {
            out.append(summary(errors, warnings)).append('\n');
        }
        return out.toString();
    }

    public String render(Diagnostic d) {
        StringBuilder out = new StringBuilder();
        render(d, out);
        return out.toString();
    }

    private static String summary(long errors, long warnings) {
        StringBuilder s = new StringBuilder();
        if (errors > 0) {
            s.append(errors).append(errors == 1 ? " error" : " errors");
        }
        if (warnings > 0) {
            s.append(s.length() > 0 ? ", " : "").append(warnings).append(warnings == 1 ? " warning" : " warnings");
        }
        return s.toString();
    }

    private void render(Diagnostic d, StringBuilder out) {
        String severityColour = d.isError() ? RED : YELLOW;
        out.append(paint(severityColour, d.severity().label())).append(paint(BOLD, ": " + d.message())).append('\n');
        SourceSpan span = d.span();
        if (span.isNone()) {
            if (!d.hint().isEmpty()) {
                out.append("  = ").append(d.hint()).append('\n');
            }
            return;
        }
        int line = span.line();
        String number = Integer.toString(line);
        String gutter = " ".repeat(number.length());
        out.append(gutter).append(paint(BLUE, "--> ")).append(span.location()).append('\n');
        out.append(gutter).append(paint(BLUE, " |")).append('\n');
        String text = span.file().lineText(line);
        out.append(paint(BLUE, number + " |")).append(' ').append(expandTabs(text)).append('\n');
        int column = span.column();
        int lineEnd = text.length() + 1;
        int width = span.isMultiLine() ? Math.max(1, lineEnd - column) : Math.max(1, span.length());
        String before = expandTabs(text.substring(0, Math.min(column - 1, text.length())));
        out.append(gutter).append(paint(BLUE, " |")).append(' ')
                .append(" ".repeat(before.length()))
                .append(paint(severityColour, "^".repeat(width)));
        if (!d.hint().isEmpty()) {
            out.append(' ').append(paint(severityColour, d.hint()));
        }
        out.append('\n');
    }

    private static String expandTabs(String text) {
        return text.replace("\t", "    ");
    }

    private String paint(String code, String text) {
        return colour ? code + text + RESET : text;
    }
}
