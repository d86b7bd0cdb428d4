package io.fleetform.cli.render.plan;

/**
 * ANSI colour for the terminal, or none. Off unless the caller knows it writes to a terminal
 * that wants colour: escape codes in a log file or a pipe are noise.
 */
final class Style {
    static final Style PLAIN = new Style(false);
    static final Style ANSI = new Style(true);

    private static final String RESET = "\u001b[0m";
    private final boolean on;

    private Style(boolean on) {
        this.on = on;
    }

    static Style of(boolean colour) {
        return colour ? ANSI : PLAIN;
    }

    StringBuilder bold(StringBuilder out, String text) {
        return paint(out, "\u001b[1m", text);
    }

    StringBuilder green(StringBuilder out, String text) {
        return paint(out, "\u001b[32m", text);
    }

    StringBuilder yellow(StringBuilder out, String text) {
        return paint(out, "\u001b[33m", text);
    }

    StringBuilder red(StringBuilder out, String text) {
        return paint(out, "\u001b[31m", text);
    }

    StringBuilder boldYellow(StringBuilder out, String text) {
        return paint(out, "\u001b[1;33m", text);
    }

    private StringBuilder paint(StringBuilder out, String code, String text) {
        return on ? out.append(code).append(text).append(RESET) : out.append(text);
    }
}
