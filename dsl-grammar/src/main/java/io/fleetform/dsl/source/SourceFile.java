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

    public SourceFile(String path, String text) {
        this.path = path;
        this.text = text;
        this.lineStarts = indexLines(text);
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

    /** 1-based column of an offset, counting characters. */
    public int columnOf(int offset) {
        return offset - lineStarts[lineOf(offset) - 1] + 1;
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
