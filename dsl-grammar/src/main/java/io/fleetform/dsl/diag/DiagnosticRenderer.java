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
        out.append(paint(severityColour, d.severity().label())).append(paint(BOLD, ": " + TextWidth.visible(d.message()))).append('\n');
        SourceSpan span = d.span();
        if (span.isNone()) {
            if (!d.hint().isEmpty()) {
                out.append("  = ").append(TextWidth.visible(d.hint())).append('\n');
            }
            return;
        }
        int line = span.line();
        String number = Integer.toString(line);
        String gutter = " ".repeat(number.length());
        out.append(gutter).append(paint(BLUE, "--> ")).append(span.location()).append('\n');
        out.append(gutter).append(paint(BLUE, " |")).append('\n');
        String text = span.file().lineText(line);
        out.append(paint(BLUE, number + " |")).append(' ').append(TextWidth.printable(text)).append('\n');
        int lineStart = span.offset() - (offsetInLine(span));
        int startInLine = Math.min(span.offset() - lineStart, text.length());
        int endInLine = span.isMultiLine() ? text.length() : Math.min(span.end() - lineStart, text.length());
        String before = text.substring(0, startInLine);
        int width = Math.max(1, TextWidth.of(text.substring(startInLine, Math.max(startInLine, endInLine))));
        out.append(gutter).append(paint(BLUE, " |")).append(' ')
                .append(" ".repeat(TextWidth.of(before)))
                .append(paint(severityColour, "^".repeat(width)));
        if (!d.hint().isEmpty()) {
            out.append(' ').append(paint(severityColour, TextWidth.visible(d.hint())));
        }
        out.append('\n');
    }

    /** UTF-16 distance from the start of the span's line to the span. */
    private static int offsetInLine(SourceSpan span) {
        String all = span.file().text();
        int start = Math.min(span.offset(), all.length());
        int i = start;
        while (i > 0 && all.charAt(i - 1) != '\n') {
            i--;
        }
        return start - i;
    }

    private String paint(String code, String text) {
        return colour ? code + text + RESET : text;
    }
}
