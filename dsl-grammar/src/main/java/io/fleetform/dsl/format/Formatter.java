package io.fleetform.dsl.format;

import io.fleetform.dsl.ast.*;
import io.fleetform.dsl.source.SourceSpan;
import java.util.List;

/**
 * Writes a parsed file in the canonical layout: two-space indent, one attribute per line
 * with aligned '=' in a run, at most one blank line, lists and maps on one line unless they
 * were written over several. Every comment is kept: leading comments stay above their item,
 * trailing ones stay on its line, and any other is written before the end of its body.
 * Formatting a formatted file changes nothing.
 */
public final class Formatter {
    private static final String INDENT = "  ";
    private static final int ONE_LINE_LIMIT = 100;

    public String format(FleetFile file) {
        return new Run(file).format();
    }

    /** The state of formatting one file: output and the comments not yet written. */
    private static final class Run {
        private final FleetFile file;
        private final String text;
        private final List<Comment> comments;
        private final StringBuilder out = new StringBuilder();
        private int nextComment;

        Run(FleetFile file) {
            this.file = file;
            this.text = file.source().text();
            this.comments = file.comments();
        }

        String format() {
            body(file.body().items(), 0, text.length());
            String result = out.toString().stripTrailing();
            return result.isEmpty() ? "" : result + "\n";
        }

        private void body(List<BodyItem> items, int depth, int endOffset) {
            int previousEnd = -1;
            int alignWidth = 0;
            for (int i = 0; i < items.size(); i++) {
                BodyItem item = items.get(i);
                int start = item.span().offset();
                boolean hasLeadingComment = hasCommentBefore(start);
                int gapStart = previousEnd < 0 ? -1 : previousEnd;
                int firstThing = hasLeadingComment ? comments.get(nextComment).span().offset() : start;
                if (gapStart >= 0 && blankLineBetween(gapStart, firstThing)) {
                    out.append('\n');
                }
                leadingComments(start, depth);
                if (item instanceof Attribute attribute) {
                    if (i == 0 || !(items.get(i - 1) instanceof Attribute) || hasLeadingComment
                            || blankLineBetween(previousEnd, start)) {
                        alignWidth = runWidth(items, i);
                    }
                    indent(depth);
                    out.append(pad(attribute.name().name(), alignWidth)).append(" = ")
                            .append(expr(attribute.value(), depth));
                } else {
                    block((Block) item, depth);
                }
                trailingComments(item.span());
                out.append('\n');
                previousEnd = item.span().end();
            }
            remainingComments(endOffset, depth);
        }

        /** The widest name in the run of attributes starting at {@code from}, for aligning '='. */
        private int runWidth(List<BodyItem> items, int from) {
            int width = 0;
            int previousEnd = -1;
            for (int i = from; i < items.size() && items.get(i) instanceof Attribute attribute; i++) {
                if (previousEnd >= 0 && (blankLineBetween(previousEnd, attribute.span().offset())
                        || commentLineBetween(previousEnd, attribute.span().offset()))) {
                    break;
                }
                width = Math.max(width, attribute.name().name().length());
                previousEnd = attribute.span().end();
            }
            return width;
        }

        private void block(Block block, int depth) {
            indent(depth);
            out.append(header(block, depth));
            if (block.body().isEmpty()) {
                return;
            }
            List<BodyItem> items = block.body().get().items();
            if (items.isEmpty() && !commentBetween(block.span().offset(), block.span().end())) {
                out.append(" {}");
                return;
            }
            String oneLine = oneLine(block, depth);
            if (oneLine != null) {
                out.append(oneLine);
                return;
            }
            out.append(" {\n");
            body(items, depth + 1, block.span().end());
            indent(depth);
            out.append('}');
        }

        /** A block written on one line stays there if it holds only simple attributes and fits. */
        private String oneLine(Block block, int depth) {
            if (block.span().isMultiLine() || commentBetween(block.span().offset(), block.span().end())) {
                return null;
            }
            StringBuilder s = new StringBuilder(" { ");
            boolean first = true;
            for (BodyItem item : block.body().get().items()) {
                if (!(item instanceof Attribute attribute)) {
                    return null;
                }
                String value = expr(attribute.value(), depth + 1);
                if (value.contains("\n")) {
                    return null;
                }
                s.append(first ? "" : "  ").append(attribute.name().name()).append(" = ").append(value);
                first = false;
            }
            s.append(" }");
            int lineLength = depth * INDENT.length() + header(block, depth).length() + s.length();
            return lineLength <= ONE_LINE_LIMIT ? s.toString() : null;
        }

        private String header(Block block, int depth) {
            StringBuilder s = new StringBuilder(block.type().name());
            for (Label label : block.labels()) {
                s.append(' ').append(label.quoted() ? quote(label.value()) : label.value());
            }
            for (Clause clause : block.clauses()) {
                s.append(' ');
                if (clause instanceof FromClause from) {
                    s.append("from ").append(expr(from.from(), depth));
                    from.to().ifPresent(to -> s.append(" to ").append(expr(to, depth)));
                } else if (clause instanceof ForEachClause forEach) {
                    s.append("for_each ").append(expr(forEach.collection(), depth));
                } else if (clause instanceof AsClause as) {
                    s.append("as ").append(as.name().name());
                } else if (clause instanceof IfClause ifClause) {
                    s.append("if ").append(expr(ifClause.condition(), depth));
                }
            }
            return s.toString();
        }

        String expr(Expression e, int depth) {
            if (e instanceof NumberLiteral n) {
                return n.text();
            } else if (e instanceof QuantityLiteral q) {
                return q.text();
            } else if (e instanceof BoolLiteral b) {
                return Boolean.toString(b.value());
            } else if (e instanceof NullLiteral) {
                return "null";
            } else if (e instanceof TemplateString t) {
                return template(t, depth);
            } else if (e instanceof Variable v) {
                return v.name();
            } else if (e instanceof GetAttr g) {
                return expr(g.target(), depth) + "." + g.name().name();
            } else if (e instanceof IndexExpr i) {
                return expr(i.target(), depth) + "[" + expr(i.index(), depth) + "]";
            } else if (e instanceof Call c) {
                StringBuilder s = new StringBuilder(c.function().name()).append('(');
                for (int i = 0; i < c.arguments().size(); i++) {
                    s.append(i == 0 ? "" : ", ").append(expr(c.arguments().get(i), depth));
                }
                return s.append(')').toString();
            } else if (e instanceof Unary u) {
                return u.op().symbol + expr(u.operand(), depth);
            } else if (e instanceof Binary b) {
                return expr(b.left(), depth) + " " + b.op().symbol + " " + expr(b.right(), depth);
            } else if (e instanceof Conditional c) {
                return expr(c.condition(), depth) + " ? " + expr(c.whenTrue(), depth) + " : "
                        + expr(c.whenFalse(), depth);
            } else if (e instanceof ListExpr l) {
                return list(l, depth);
            } else if (e instanceof MapExpr m) {
                return map(m, depth);
            } else if (e instanceof ListFor f && f.splat()) {
                return expr(f.collection(), depth) + "[*]" + splatPath(f.value());
            } else if (e instanceof ListFor f) {
                return "[for " + forVars(f.keyVar(), f.valueVar()) + " in " + expr(f.collection(), depth) + " : "
                        + expr(f.value(), depth)
                        + f.condition().map(c -> " if " + expr(c, depth)).orElse("") + "]";
            } else if (e instanceof MapFor f) {
                return "{ for " + forVars(f.keyVar(), f.valueVar()) + " in " + expr(f.collection(), depth) + " : "
                        + expr(f.key(), depth) + " => " + expr(f.value(), depth)
                        + f.condition().map(c -> " if " + expr(c, depth)).orElse("") + " }";
            } else if (e instanceof Pinned p) {
                return expr(p.cpu(), depth) + " pinned";
            } else if (e instanceof Mount m) {
                return expr(m.size(), depth) + " at " + expr(m.path(), depth);
            } else if (e instanceof Paren p) {
                return "(" + expr(p.inner(), depth) + ")";
            }
            throw new IllegalStateException("unformatted expression " + e.getClass().getSimpleName());
        }

        private static String forVars(java.util.Optional<Identifier> key, Identifier value) {
            return key.map(k -> k.name() + ", ").orElse("") + value.name();
        }

        /** ".a.b" of a splat's element expression (the element itself prints as nothing). */
        private static String splatPath(Expression element) {
            return element instanceof GetAttr g ? splatPath(g.target()) + "." + g.name().name() : "";
        }

        private String template(TemplateString t, int depth) {
            if (t.heredoc()) {
                return text.substring(t.span().offset(), t.span().end()); // kept byte for byte
            }
            StringBuilder s = new StringBuilder("\"");
            for (StringPart part : t.parts()) {
                if (part instanceof StringPart.Text text) {
                    s.append(text.raw());
                } else {
                    s.append("${").append(expr(((StringPart.Interpolation) part).expression(), depth)).append('}');
                }
            }
            return s.append('"').toString();
        }

        private String list(ListExpr l, int depth) {
            if (l.elements().isEmpty()) {
                return "[]";
            }
            if (!l.span().isMultiLine()) {
                StringBuilder s = new StringBuilder("[");
                for (int i = 0; i < l.elements().size(); i++) {
                    s.append(i == 0 ? "" : ", ").append(expr(l.elements().get(i), depth));
                }
                return s.append(']').toString();
            }
            StringBuilder s = new StringBuilder("[\n");
            for (Expression element : l.elements()) {
                s.append(commentsBefore(element.span().offset(), depth + 1));
                s.append(INDENT.repeat(depth + 1)).append(expr(element, depth + 1)).append(',');
                s.append(trailingCommentText(element.span())).append('\n');
            }
            s.append(commentsBefore(l.span().end(), depth + 1));
            return s.append(INDENT.repeat(depth)).append(']').toString();
        }

        private String map(MapExpr m, int depth) {
            if (m.entries().isEmpty()) {
                return "{}";
            }
            if (!m.span().isMultiLine()) {
                StringBuilder s = new StringBuilder("{ ");
                for (int i = 0; i < m.entries().size(); i++) {
                    MapEntry entry = m.entries().get(i);
                    s.append(i == 0 ? "" : ", ").append(key(entry, depth)).append(" = ").append(expr(entry.value(), depth));
                }
                return s.append(" }").toString();
            }
            int width = 0;
            for (MapEntry entry : m.entries()) {
                width = Math.max(width, key(entry, depth).length());
            }
            StringBuilder s = new StringBuilder("{\n");
            for (MapEntry entry : m.entries()) {
                s.append(commentsBefore(entry.span().offset(), depth + 1));
                s.append(INDENT.repeat(depth + 1)).append(pad(key(entry, depth), width)).append(" = ")
                        .append(expr(entry.value(), depth + 1));
                s.append(trailingCommentText(entry.span())).append('\n');
            }
            s.append(commentsBefore(m.span().end(), depth + 1));
            return s.append(INDENT.repeat(depth)).append('}').toString();
        }

        private String key(MapEntry entry, int depth) {
            return entry.bareKey() ? entry.key().constantValue() : template(entry.key(), depth);
        }

        // ---- comments ----

        private boolean hasCommentBefore(int offset) {
            return nextComment < comments.size() && comments.get(nextComment).span().offset() < offset;
        }

        private boolean commentBetween(int from, int to) {
            for (Comment c : comments) {
                if (c.span().offset() >= from && c.span().offset() < to) {
                    return true;
                }
            }
            return false;
        }

        /** A comment on a line of its own between two offsets (a trailing comment does not count). */
        private boolean commentLineBetween(int from, int to) {
            int fromLine = file.source().lineOf(Math.max(0, from - 1));
            for (Comment c : comments) {
                if (c.span().offset() >= from && c.span().offset() < to && c.span().line() != fromLine) {
                    return true;
                }
            }
            return false;
        }

        private void leadingComments(int offset, int depth) {
            out.append(commentsBefore(offset, depth));
        }

        private String commentsBefore(int offset, int depth) {
            StringBuilder s = new StringBuilder();
            int previousEnd = -1;
            while (hasCommentBefore(offset)) {
                Comment c = comments.get(nextComment++);
                if (previousEnd >= 0 && blankLineBetween(previousEnd, c.span().offset())) {
                    s.append('\n');
                }
                s.append(INDENT.repeat(depth)).append(c.text().stripTrailing()).append('\n');
                previousEnd = c.span().end();
            }
            if (previousEnd >= 0 && blankLineBetween(previousEnd, offset) && offset < text.length()) {
                s.append('\n');
            }
            return s.toString();
        }

        /** Comments inside the item or after it on its last line are written after it. */
        private void trailingComments(SourceSpan span) {
            out.append(trailingCommentText(span));
        }

        private String trailingCommentText(SourceSpan span) {
            StringBuilder s = new StringBuilder();
            int lastLine = span.endLine();
            while (nextComment < comments.size()) {
                Comment c = comments.get(nextComment);
                boolean inside = c.span().offset() < span.end();
                boolean sameLine = c.span().line() == lastLine;
                if (!inside && !sameLine) {
                    break;
                }
                s.append("  ").append(c.text().stripTrailing());
                nextComment++;
            }
            return s.toString();
        }

        private void remainingComments(int endOffset, int depth) {
            out.append(commentsBefore(endOffset, depth));
        }

        private boolean blankLineBetween(int from, int to) {
            int newlines = 0;
            for (int i = Math.max(0, from); i < Math.min(to, text.length()); i++) {
                char ch = text.charAt(i);
                if (ch == '\n') {
                    if (++newlines >= 2) {
                        return true;
                    }
                } else if (!Character.isWhitespace(ch)) {
                    newlines = 0;
                }
            }
            return false;
        }

        private void indent(int depth) {
            out.append(INDENT.repeat(depth));
        }

        private static String pad(String name, int width) {
            return name.length() >= width ? name : name + " ".repeat(width - name.length());
        }

        static String quote(String value) {
            StringBuilder s = new StringBuilder("\"");
            for (int i = 0; i < value.length(); i++) {
                char ch = value.charAt(i);
                switch (ch) {
                    case '"' -> s.append("\\\"");
                    case '\\' -> s.append("\\\\");
                    case '\n' -> s.append("\\n");
                    case '\r' -> s.append("\\r");
                    case '\t' -> s.append("\\t");
                    case '$' -> s.append(i + 1 < value.length() && value.charAt(i + 1) == '{' ? "\\$" : "$");
                    default -> s.append(ch);
                }
            }
            return s.append('"').toString();
        }
    }
}
