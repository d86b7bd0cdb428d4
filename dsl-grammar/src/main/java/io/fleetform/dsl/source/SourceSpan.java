package io.fleetform.dsl.source;

/**
 * A region of a source file: offset and length; line and column are derived.
 *
 * <p>Spans never take part in equality: two spans are always equal and hash alike. This
 * lets every AST, model and plan record keep its span as a component while its
 * {@code equals} compares only meaning, so "parse, format, parse again" compares equal.
 */
public record SourceSpan(SourceFile file, int offset, int length) {

    public static final SourceSpan NONE = new SourceSpan(new SourceFile("<none>", ""), 0, 0);

    public static SourceSpan between(SourceSpan first, SourceSpan last) {
        int end = Math.max(first.end(), last.end());
        return new SourceSpan(first.file, first.offset, end - first.offset);
    }

    public int end() {
        return offset + length;
    }

    public int line() {
        return file.lineOf(offset);
    }

    public int column() {
        return file.columnOf(offset);
    }

    public int endLine() {
        return file.lineOf(Math.max(offset, end() - 1));
    }

    public boolean isMultiLine() {
        return endLine() != line();
    }

    public String text() {
        return file.text().substring(offset, Math.min(end(), file.text().length()));
    }

    public boolean isNone() {
        return this == NONE;
    }

    /** {@code path:line:col}, the form every message uses. */
    public String location() {
        return file.path() + ":" + line() + ":" + column();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SourceSpan;
    }

    @Override
    public int hashCode() {
        return 0;
    }

    @Override
    public String toString() {
        return isNone() ? "<none>" : location();
    }
}
