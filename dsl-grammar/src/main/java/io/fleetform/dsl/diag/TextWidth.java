package io.fleetform.dsl.diag;

/**
 * How many terminal columns a text takes: East Asian wide characters and emoji take two,
 * combining marks and zero-width characters none, a tab four. The caret under a mistake lines
 * up with the text above it only if both are measured this way.
 */
public final class TextWidth {
    private TextWidth() {
    }

    public static int of(String text) {
        int width = 0;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            width += of(c);
            i += Character.charCount(c);
        }
        return width;
    }

    static int of(int c) {
        if (c == '\t') {
            return 4;
        }
        if (isUnsafe(c)) {
            return 1;
        }
        int type = Character.getType(c);
        if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK || type == Character.FORMAT) {
            return 0;
        }
        return isWide(c) ? 2 : 1;
    }

    /**
     * Control and bidirectional-override characters: printed raw they would reorder or hide what a
     * terminal shows (a "Trojan Source" line), so a source line is printed with each replaced by U+FFFD.
     */
    public static boolean isUnsafe(int c) {
        return (Character.isISOControl(c) && c != '\t') || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)
                || c == 0x200E || c == 0x200F || c == 0x061C;
    }

    /**
     * A message or hint as printed: it can quote the user's text (an unexpected character, a
     * string value, a function's exception), so each unsafe character is written as its code
     * (U+001B) rather than sent to the terminal, where an escape sequence would act. Line ends stay.
     */
    public static String visible(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            boolean escape = c != '\n' && isUnsafe(c);
            if (escape && out == null) {
                out = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            if (out != null) {
                if (escape) {
                    out.append(String.format("U+%04X", c));
                } else {
                    out.appendCodePoint(c);
                }
            }
            i += Character.charCount(c);
        }
        return out == null ? text : out.toString();
    }

    /** The text with tabs expanded and unsafe characters replaced, as it is printed in a message. */
    public static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            if (c == '\t') {
                out.append("    ");
            } else if (isUnsafe(c)) {
                out.append('\uFFFD');
            } else {
                out.appendCodePoint(c);
            }
            i += Character.charCount(c);
        }
        return out.toString();
    }

    private static boolean isWide(int c) {
        return (c >= 0x1100 && c <= 0x115F)
                || (c >= 0x2E80 && c <= 0x303E)
                || (c >= 0x3041 && c <= 0x33FF)
                || (c >= 0x3400 && c <= 0x4DBF)
                || (c >= 0x4E00 && c <= 0x9FFF)
                || (c >= 0xA000 && c <= 0xA4CF)
                || (c >= 0xAC00 && c <= 0xD7A3)
                || (c >= 0xF900 && c <= 0xFAFF)
                || (c >= 0xFE30 && c <= 0xFE4F)
                || (c >= 0xFF00 && c <= 0xFF60)
                || (c >= 0xFFE0 && c <= 0xFFE6)
                || (c >= 0x1F300 && c <= 0x1F64F)
                || (c >= 0x1F900 && c <= 0x1F9FF)
                || (c >= 0x20000 && c <= 0x3FFFD);
    }
}
