package io.fleetform.dsl.parse;

import io.fleetform.dsl.antlr.FleetBaseLexer;
import io.fleetform.dsl.antlr.FleetBaseParser;
import io.fleetform.dsl.antlr.FleetBaseParser.*;
import io.fleetform.dsl.ast.AsClause;
import io.fleetform.dsl.ast.Attribute;
import io.fleetform.dsl.ast.Binary;
import io.fleetform.dsl.ast.Block;
import io.fleetform.dsl.ast.Body;
import io.fleetform.dsl.ast.BodyItem;
import io.fleetform.dsl.ast.BoolLiteral;
import io.fleetform.dsl.ast.Call;
import io.fleetform.dsl.ast.Clause;
import io.fleetform.dsl.ast.Conditional;
import io.fleetform.dsl.ast.Expression;
import io.fleetform.dsl.ast.ForEachClause;
import io.fleetform.dsl.ast.FromClause;
import io.fleetform.dsl.ast.GetAttr;
import io.fleetform.dsl.ast.Identifier;
import io.fleetform.dsl.ast.IfClause;
import io.fleetform.dsl.ast.IndexExpr;
import io.fleetform.dsl.ast.Label;
import io.fleetform.dsl.ast.ListExpr;
import io.fleetform.dsl.ast.ListFor;
import io.fleetform.dsl.ast.MapEntry;
import io.fleetform.dsl.ast.MapExpr;
import io.fleetform.dsl.ast.MapFor;
import io.fleetform.dsl.ast.Mount;
import io.fleetform.dsl.ast.NullLiteral;
import io.fleetform.dsl.ast.NumberLiteral;
import io.fleetform.dsl.ast.Paren;
import io.fleetform.dsl.ast.Pinned;
import io.fleetform.dsl.ast.QuantityLiteral;
import io.fleetform.dsl.ast.StringPart;
import io.fleetform.dsl.ast.TemplateString;
import io.fleetform.dsl.ast.Unary;
import io.fleetform.dsl.ast.Variable;
import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.dsl.source.SourceFile;
import io.fleetform.dsl.source.SourceSpan;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;

/** Turns the ANTLR parse tree into immutable AST records with spans, one method per construct. */
final class AstBuilder {
    private final SourceFile source;
    private final List<Diagnostic> diagnostics = new ArrayList<>();
    /** The same bound as the evaluator's (NumberBounds): 1e999999999 would print a billion digits. */
    private static final int MAX_EXPONENT = 64;

    /**
     * How deep expressions may nest (brackets, calls, operators, interpolations). Without a bound
     * the parser's own limit depends on the stack and the JIT, and what it lets through can still
     * overflow the evaluator, the formatter or the renderers later (exit 70 instead of a position).
     */
    static final int MAX_NESTING = 256;
    private int nesting;

    /** Thrown to stop building at the first expression nested beyond {@link #MAX_NESTING}. */
    static final class TooDeep extends RuntimeException {
        final transient Diagnostic diagnostic;

        TooDeep(Diagnostic diagnostic) {
            super(null, null, false, false);
            this.diagnostic = diagnostic;
        }
    }

    AstBuilder(SourceFile source) {
        this.source = source;
    }

    List<Diagnostic> diagnostics() {
        return diagnostics;
    }

    Body body(BodyContext ctx) {
        List<BodyItem> items = new ArrayList<>(ctx.item().size());
        for (ItemContext item : ctx.item()) {
            items.add(item(item));
        }
        return new Body(items, span(ctx));
    }

    /**
     * The body of a file parsed in consecutive parts ({@link FleetParser}): their items in order, spanning
     * from the first part's start to the last part's end, as one body parsed whole would.
     */
    Body joined(List<BodyItem> items, int start, int stopInclusive) {
        return new Body(items, span(start, stopInclusive));
    }

    private BodyItem item(ItemContext ctx) {
        if (ctx instanceof AttributeContext a) {
            return new Attribute(identifier(a.name()), expr(a.expr()), span(a));
        }
        BlockContext b = (BlockContext) ctx;
        List<Label> labels = new ArrayList<>();
        for (LabelContext label : b.label()) {
            labels.add(label(label));
        }
        List<Clause> clauses = new ArrayList<>();
        for (ClauseContext clause : b.clause()) {
            clauses.add(clause(clause));
        }
        Optional<Body> body = b.blockBody() == null ? Optional.empty() : Optional.of(body(b.blockBody().body()));
        return new Block(identifier(b.name()), labels, clauses, body, span(b));
    }

    private Label label(LabelContext ctx) {
        if (ctx instanceof QuotedLabelContext q) {
            TemplateString text = string(q.string());
            String value = text.constantValue();
            if (value == null) {
                diagnostics.add(Diagnostic.error("interpolated-label", span(q), "a block label cannot contain ${...}",
                        "labels are names; compute values in attributes"));
                value = "";
            }
            return new Label(value, true, span(q));
        }
        BareLabelContext bare = (BareLabelContext) ctx;
        return new Label(bare.IDENT().getText(), false, span(bare));
    }

    private Clause clause(ClauseContext ctx) {
        if (ctx instanceof FromClauseContext f) {
            Optional<Expression> to = f.expr().size() > 1 ? Optional.of(expr(f.expr(1))) : Optional.empty();
            return new FromClause(expr(f.expr(0)), to, span(f));
        }
        if (ctx instanceof ForEachClauseContext f) {
            return new ForEachClause(expr(f.expr()), span(f));
        }
        if (ctx instanceof AsClauseContext a) {
            return new AsClause(identifier(a.IDENT().getSymbol()), span(a));
        }
        IfClauseContext i = (IfClauseContext) ctx;
        return new IfClause(expr(i.expr()), span(i));
    }

    Expression expr(ExprContext ctx) {
        if (++nesting > MAX_NESTING) {
            Token at = ctx.getStart();
            throw new TooDeep(Diagnostic.error("too-deeply-nested", span(at.getStartIndex(), at.getStopIndex()),
                    "input too deeply nested (expressions nest at most " + MAX_NESTING + " deep)",
                    "split the expression into locals"));
        }
        try {
            return nested(ctx);
        } finally {
            nesting--;
        }
    }

    private Expression nested(ExprContext ctx) {
        if (ctx instanceof PrimaryExprContext p) {
            return primary(p.primary());
        }
        if (ctx instanceof GetAttrContext g) {
            return new GetAttr(expr(g.expr()), identifier(g.name()), span(g));
        }
        if (ctx instanceof IndexContext i) {
            return new IndexExpr(expr(i.expr(0)), expr(i.expr(1)), span(i));
        }
        if (ctx instanceof SplatContext s) {
            SourceSpan star = span(s.STAR().getSymbol().getStartIndex(), s.STAR().getSymbol().getStopIndex());
            Expression element = new Variable(ListFor.SPLAT_ELEMENT, star);
            for (NameContext name : s.name()) {
                element = new GetAttr(element, identifier(name), SourceSpan.between(star, span(name)));
            }
            return new ListFor(Optional.empty(), new Identifier(ListFor.SPLAT_ELEMENT, star), expr(s.expr()), element,
                    Optional.empty(), true, span(s));
        }
        if (ctx instanceof PinnedContext p) {
            return new Pinned(expr(p.expr()), span(p));
        }
        if (ctx instanceof UnaryContext u) {
            Unary.Operator op = u.op.getType() == FleetBaseLexer.MINUS ? Unary.Operator.NEGATE : Unary.Operator.NOT;
            return new Unary(op, expr(u.expr()), span(u));
        }
        if (ctx instanceof MultiplicativeContext m) {
            return binary(m.op, m.expr(0), m.expr(1), m);
        }
        if (ctx instanceof AdditiveContext a) {
            return binary(a.op, a.expr(0), a.expr(1), a);
        }
        if (ctx instanceof ComparisonContext c) {
            return binary(c.op, c.expr(0), c.expr(1), c);
        }
        if (ctx instanceof EqualityContext e) {
            return binary(e.op, e.expr(0), e.expr(1), e);
        }
        if (ctx instanceof AndContext a) {
            return new Binary(Binary.Operator.AND, expr(a.expr(0)), expr(a.expr(1)), span(a));
        }
        if (ctx instanceof OrContext o) {
            return new Binary(Binary.Operator.OR, expr(o.expr(0)), expr(o.expr(1)), span(o));
        }
        if (ctx instanceof ConditionalContext c) {
            return new Conditional(expr(c.expr(0)), expr(c.expr(1)), expr(c.expr(2)), span(c));
        }
        MountContext m = (MountContext) ctx;
        return new Mount(expr(m.expr(0)), expr(m.expr(1)), span(m));
    }

    private Binary binary(Token op, ExprContext left, ExprContext right, ParserRuleContext ctx) {
        return new Binary(Binary.Operator.of(op.getText()), expr(left), expr(right), span(ctx));
    }

    private Expression primary(PrimaryContext ctx) {
        if (ctx instanceof CoresLiteralContext c) {
            String text = c.NUMBER().getText() + " " + c.CORES().getText();
            return new QuantityLiteral(number(c.NUMBER().getText()), "cores", text, span(c));
        }
        if (ctx instanceof SpacedUnitLiteralContext u) {
            String text = u.NUMBER().getText() + " " + u.IDENT().getText();
            return new QuantityLiteral(number(u.NUMBER().getText()), u.IDENT().getText(), text, span(u));
        }
        if (ctx instanceof NumberLiteralContext n) {
            BigDecimal value = number(n.NUMBER().getText());
            if (value.signum() != 0 && ((long) value.precision() - value.scale() > MAX_EXPONENT
                    || value.scale() > MAX_EXPONENT + 34)) {
                diagnostics.add(Diagnostic.error("number-too-large", span(n), "the number " + shortLiteral(n.NUMBER().getText())
                        + " is too large or too precise", "numbers lie between -1e" + MAX_EXPONENT + " and 1e"
                        + MAX_EXPONENT));
                value = BigDecimal.ZERO;
            }
            if (value.scale() < 0) {
                value = value.setScale(0); // 1e3 is 1000, not 1E+3
            }
            return new NumberLiteral(value, n.NUMBER().getText(), span(n));
        }
        if (ctx instanceof QuantityLiteralContext q) {
            return quantity(q.QUANTITY().getText(), span(q));
        }
        if (ctx instanceof RateLiteralContext r) {
            return quantity(r.RATE().getText(), span(r));
        }
        if (ctx instanceof BoolLiteralContext b) {
            return new BoolLiteral(b.TRUE() != null, span(b));
        }
        if (ctx instanceof NullLiteralContext n) {
            return new NullLiteral(span(n));
        }
        if (ctx instanceof StringLiteralContext s) {
            return string(s.string());
        }
        if (ctx instanceof HeredocLiteralContext h) {
            return heredoc(h.heredoc());
        }
        if (ctx instanceof CallContext c) {
            List<Expression> args = new ArrayList<>();
            for (ExprContext arg : c.expr()) {
                args.add(expr(arg));
            }
            return new Call(identifier(c.IDENT().getSymbol()), args, span(c));
        }
        if (ctx instanceof VariableContext v) {
            return new Variable(v.IDENT().getText(), span(v));
        }
        if (ctx instanceof ListForContext f) {
            ForVarsContext vars = f.forVars();
            Optional<Identifier> key = vars.IDENT().size() > 1 ? Optional.of(identifier(vars.IDENT(0).getSymbol()))
                    : Optional.empty();
            Identifier value = identifier(vars.IDENT(vars.IDENT().size() - 1).getSymbol());
            Optional<Expression> condition = f.IF() != null ? Optional.of(expr(f.expr(2))) : Optional.empty();
            return new ListFor(key, value, expr(f.expr(0)), expr(f.expr(1)), condition, span(f));
        }
        if (ctx instanceof ListContext l) {
            List<Expression> elements = new ArrayList<>();
            for (ExprContext e : l.expr()) {
                elements.add(expr(e));
            }
            return new ListExpr(elements, span(l));
        }
        if (ctx instanceof MapForContext f) {
            ForVarsContext vars = f.forVars();
            Optional<Identifier> key = vars.IDENT().size() > 1 ? Optional.of(identifier(vars.IDENT(0).getSymbol()))
                    : Optional.empty();
            Identifier value = identifier(vars.IDENT(vars.IDENT().size() - 1).getSymbol());
            Optional<Expression> condition = f.IF() != null ? Optional.of(expr(f.expr(3))) : Optional.empty();
            return new MapFor(key, value, expr(f.expr(0)), expr(f.expr(1)), expr(f.expr(2)), condition, span(f));
        }
        if (ctx instanceof MapContext m) {
            List<MapEntry> entries = new ArrayList<>();
            for (EntryContext e : m.entry()) {
                entries.add(entry(e));
            }
            return new MapExpr(entries, span(m));
        }
        ParenContext p = (ParenContext) ctx;
        return new Paren(expr(p.expr()), span(p));
    }

    private MapEntry entry(EntryContext ctx) {
        TemplateString key;
        boolean bare = ctx.name() != null;
        if (bare) {
            String name = ctx.name().getText();
            key = new TemplateString(List.of(new StringPart.Text(name, name, span(ctx.name()))), span(ctx.name()));
        } else {
            key = string(ctx.string());
        }
        return new MapEntry(key, bare, expr(ctx.expr()), span(ctx));
    }

    TemplateString string(StringContext ctx) {
        List<StringPart> parts = new ArrayList<>();
        StringBuilder value = new StringBuilder();
        StringBuilder raw = new StringBuilder();
        int textStart = -1;
        int textEnd = -1;
        for (StringPartContext part : ctx.stringPart()) {
            if (part instanceof InterpolationPartContext i) {
                if (textStart >= 0) {
                    parts.add(new StringPart.Text(value.toString(), raw.toString(), span(textStart, textEnd)));
                    value.setLength(0);
                    raw.setLength(0);
                    textStart = -1;
                }
                parts.add(new StringPart.Interpolation(expr(i.expr()), span(i)));
                continue;
            }
            String text = part.getText();
            raw.append(text);
            value.append(part instanceof EscapePartContext ? unescape(text)
                    : part instanceof EscapedInterpolationPartContext ? "${" : text);
            if (textStart < 0) {
                textStart = part.start.getStartIndex();
            }
            textEnd = part.stop.getStopIndex();
        }
        if (textStart >= 0) {
            parts.add(new StringPart.Text(value.toString(), raw.toString(), span(textStart, textEnd)));
        }
        return new TemplateString(parts, span(ctx));
    }

    /**
     * A heredoc: its lines as written, up to the marker line. {@code <<-EOT} removes the
     * smallest indentation of its non-blank lines from every line, as HCL does.
     */
    TemplateString heredoc(HeredocContext ctx) {
        List<HeredocPartContext> items = ctx.heredocPart();
        int strip = ctx.HEREDOC_START().getText().startsWith("<<-") ? commonIndent(items) : 0;
        List<StringPart> parts = new ArrayList<>();
        StringBuilder value = new StringBuilder();
        StringBuilder raw = new StringBuilder();
        int textStart = -1;
        int textEnd = -1;
        boolean lineStart = true;
        for (HeredocPartContext part : items) {
            if (part instanceof HeredocInterpolationPartContext i) {
                if (textStart >= 0) {
                    parts.add(new StringPart.Text(value.toString(), raw.toString(), span(textStart, textEnd)));
                    value.setLength(0);
                    raw.setLength(0);
                    textStart = -1;
                }
                parts.add(new StringPart.Interpolation(expr(i.expr()), span(i)));
                lineStart = false;
                continue;
            }
            String text = part.getText();
            raw.append(text);
            if (part instanceof HeredocEscapedInterpolationPartContext) {
                value.append("${");
            } else if (part instanceof HeredocTextPartContext && lineStart) {
                value.append(text.substring(Math.min(strip, leadingBlanks(text))));
            } else {
                value.append(text);
            }
            lineStart = part instanceof HeredocNewlinePartContext;
            if (textStart < 0) {
                textStart = part.start.getStartIndex();
            }
            textEnd = part.stop.getStopIndex();
        }
        if (textStart >= 0) {
            parts.add(new StringPart.Text(value.toString(), raw.toString(), span(textStart, textEnd)));
        }
        return new TemplateString(parts, true, span(ctx));
    }

    /** The smallest indentation of the heredoc's lines; blank lines do not count. */
    private static int commonIndent(List<HeredocPartContext> items) {
        int smallest = Integer.MAX_VALUE;
        boolean lineStart = true;
        for (int i = 0; i < items.size(); i++) {
            HeredocPartContext part = items.get(i);
            if (lineStart && !(part instanceof HeredocNewlinePartContext)) {
                boolean endsLine = i + 1 == items.size() || items.get(i + 1) instanceof HeredocNewlinePartContext;
                if (!(part instanceof HeredocTextPartContext)) {
                    smallest = 0;
                } else if (!(part.getText().isBlank() && endsLine)) {
                    smallest = Math.min(smallest, leadingBlanks(part.getText()));
                }
            }
            lineStart = part instanceof HeredocNewlinePartContext;
        }
        return smallest == Integer.MAX_VALUE ? 0 : smallest;
    }

    private static int leadingBlanks(String text) {
        int n = 0;
        while (n < text.length() && (text.charAt(n) == ' ' || text.charAt(n) == '\t')) {
            n++;
        }
        return n;
    }

    private static String unescape(String escape) {
        return switch (escape.charAt(1)) {
            case 'n' -> "\n";
            case 'r' -> "\r";
            case 't' -> "\t";
            case 'u' -> String.valueOf((char) Integer.parseInt(escape.substring(2), 16));
            default -> escape.substring(1);
        };
    }

    private QuantityLiteral quantity(String text, SourceSpan span) {
        int unitStart = 0;
        while (unitStart < text.length() && (Character.isDigit(text.charAt(unitStart))
                || text.charAt(unitStart) == '.' || text.charAt(unitStart) == '_')) {
            unitStart++;
        }
        return new QuantityLiteral(number(text.substring(0, unitStart)), text.substring(unitStart), text, span);
    }

    private static BigDecimal number(String text) {
        try {
            return new BigDecimal(text.replace("_", ""));
        } catch (NumberFormatException exponentBeyondInt) {
            return BigDecimal.ONE.scaleByPowerOfTen(1000); // reported as too large by the caller
        }
    }

    private Identifier identifier(NameContext ctx) {
        return new Identifier(ctx.getText(), span(ctx));
    }

    private Identifier identifier(Token token) {
        return new Identifier(token.getText(), span(token.getStartIndex(), token.getStopIndex()));
    }

    /** A literal as a message quotes it: a 10,000-digit number is underlined in the source line already. */
    private static String shortLiteral(String text) {
        return text.length() <= 30 ? text : text.substring(0, 12) + "…(" + text.length() + " characters)";
    }

    private SourceSpan span(ParserRuleContext ctx) {
        int start = ctx.start.getStartIndex();
        int stop = ctx.stop == null || ctx.stop.getType() == Token.EOF ? start - 1 : ctx.stop.getStopIndex();
        return span(start, stop);
    }

    /** ANTLR's indexes count code points; spans count UTF-16 units, as Java strings do. */
    private SourceSpan span(int start, int stopInclusive) {
        int from = source.offsetOfCodePoint(start);
        int to = source.offsetOfCodePoint(Math.max(start, stopInclusive + 1));
        return new SourceSpan(source, from, Math.max(0, to - from));
    }
}
