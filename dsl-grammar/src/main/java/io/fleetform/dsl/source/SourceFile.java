package io.fleetform.dsl.source;

import java.util.Arrays;

/**
 * The text of one input file and the index of its line starts, so that spans can be
 * stored as offsets and turned into 1-based line/column only when a message is printed.
 */
public final class SourceFile {
    private final String path;
    private final String text;
    private final int[] lineStarts;
    /** UTF-16 offset of each code point, or null when every character is one UTF-16 unit. */
    private final int[] codePointOffsets;

    public SourceFile(String path, String text) {
        this.path = path;
        this.text = text;
        this.lineStarts = indexLines(text);
        this.codePointOffsets = indexCodePoints(text);
    }

    private static int[] indexCodePoints(String text) {
        int count = text.codePointCount(0, text.length());
        if (count == text.length()) {
            return null;
        }
        int[] offsets = new int[count + 1];
        int offset = 0;
        for (int i = 0; i < count; i++) {
            offsets[i] = offset;
            offset += Character.charCount(text.codePointAt(offset));
        }
        offsets[count] = text.length();
        return offsets;
    }

    /**
     * The UTF-16 offset of the code point at {@code index}. ANTLR counts code points, Java strings
     * UTF-16 units: without this, an emoji shifts every later position by one.
     */
    public int offsetOfCodePoint(int index) {
        if (codePointOffsets == null) {
            return Math.max(0, Math.min(index, text.length()));
        }
        return codePointOffsets[Math.max(0, Math.min(index, codePointOffsets.length - 1))];
    }

    private static int[] indexLines(String text) {
        int[] starts = new int[16];
        int count = 1;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                if (count == starts.length) {
                    starts = Arrays.copyOf(starts, count * 2);
                }
                starts[count++] = i + 1;
            }
        }
        return Arrays.copyOf(starts, count);
    }

    public String path() {
        return path;
    }

    public String text() {
        return text;
    }

    public int lineCount() {
        return lineStarts.length;
    }

    /** 1-based line of an offset. */
    public int lineOf(int offset) {
        int index = Arrays.binarySearch(lineStarts, Math.min(Math.max(offset, 0), text.length()));
        return (index >= 0 ? index : -index - 2) + 1;
    }

    /** 1-based column of an offset, counting characters (code points, so an emoji is one). */
    public int columnOf(int offset) {
        int start = lineStarts[lineOf(offset) - 1];
        int end = Math.max(start, Math.min(offset, text.length()));
        return text.codePointCount(start, end) + 1;
    }

    /** The text of a 1-based line, without its line terminator. */
    public String lineText(int line) {
        int start = lineStarts[line - 1];
        int end = line < lineStarts.length ? lineStarts[line] - 1 : text.length();
        if (end > start && text.charAt(end - 1) == '\r') {
            end--;
        }
        return text.substring(start, Math.max(start, end));
    }

    @Override
    public String toString() {
        return path;
    }
}
