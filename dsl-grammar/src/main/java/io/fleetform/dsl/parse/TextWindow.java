package io.fleetform.dsl.parse;

import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.IntStream;
import org.antlr.v4.runtime.misc.Interval;

/**
 * A stretch of a file's text as a lexer's input: positions are the whole file's code point indexes
 * (so tokens carry the places a whole-file lex gives them), and the input ends at {@code end}. Each
 * lexer gets its own window (ANTLR's own streams keep their position in the stream object); the
 * text behind them is shared and only read.
 */
final class TextWindow implements CharStream {
    private final String text;
    /** The text's code points, or null when every character is one UTF-16 unit (then {@code text} is read). */
    private final int[] codePoints;
    private final int size;
    private final int end;
    private final String name;
    private int index;

    /** {@code codePoints} null means every character of {@code text} is one code point. */
    TextWindow(String text, int[] codePoints, int begin, int end, String name) {
        this.text = text;
        this.codePoints = codePoints;
        this.size = codePoints == null ? text.length() : codePoints.length;
        this.end = end;
        this.name = name;
        this.index = begin;
    }

    private int at(int position) {
        return codePoints == null ? text.charAt(position) : codePoints[position];
    }

    @Override
    public int LA(int i) {
        if (i == 0) {
            return 0;
        }
        int position = i > 0 ? index + i - 1 : index + i;
        if (position < 0 || position >= end) {
            return IntStream.EOF;
        }
        return at(position);
    }

    @Override
    public void consume() {
        if (index >= end) {
            throw new IllegalStateException("cannot consume EOF");
        }
        index++;
    }

    @Override
    public int mark() {
        return -1;
    }

    @Override
    public void release(int marker) {
    }

    @Override
    public int index() {
        return index;
    }

    @Override
    public void seek(int index) {
        this.index = index;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public String getSourceName() {
        return name;
    }

    /** Text of the whole file (a token's text, a heredoc's look-ahead): the window limits lexing only. */
    @Override
    public String getText(Interval interval) {
        int start = Math.max(0, Math.min(interval.a, size));
        int stop = Math.min(interval.b, size - 1);
        if (stop < start) {
            return "";
        }
        if (codePoints == null) {
            return text.substring(start, stop + 1);
        }
        return new String(codePoints, start, stop - start + 1);
    }
}
