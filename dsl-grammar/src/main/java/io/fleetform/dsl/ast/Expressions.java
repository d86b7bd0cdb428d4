package io.fleetform.dsl.ast;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Walks expressions: every sub-expression, depth first, for checks that need no evaluation. */
public final class Expressions {
    private Expressions() {
    }

    /** Calls {@code visit} on {@code root} and every expression inside it. */
    public static void walk(Expression root, Consumer<Expression> visit) {
        List<Expression> pending = new ArrayList<>();
        pending.add(root);
        while (!pending.isEmpty()) {
            Expression e = pending.remove(pending.size() - 1);
            visit.accept(e);
            pending.addAll(children(e));
        }
    }

    /** The direct sub-expressions of one expression. */
    public static List<Expression> children(Expression e) {
        List<Expression> out = new ArrayList<>();
        if (e instanceof Binary b) {
            out.add(b.left());
            out.add(b.right());
        } else if (e instanceof Unary u) {
            out.add(u.operand());
        } else if (e instanceof Conditional c) {
            out.add(c.condition());
            out.add(c.whenTrue());
            out.add(c.whenFalse());
        } else if (e instanceof Call c) {
            out.addAll(c.arguments());
        } else if (e instanceof GetAttr g) {
            out.add(g.target());
        } else if (e instanceof IndexExpr i) {
            out.add(i.target());
            out.add(i.index());
        } else if (e instanceof ListExpr l) {
            out.addAll(l.elements());
        } else if (e instanceof MapExpr m) {
            m.entries().forEach(entry -> {
                out.add(entry.key());
                out.add(entry.value());
            });
        } else if (e instanceof ListFor f) {
            out.add(f.collection());
            out.add(f.value());
            f.condition().ifPresent(out::add);
        } else if (e instanceof MapFor f) {
            out.add(f.collection());
            out.add(f.key());
            out.add(f.value());
            f.condition().ifPresent(out::add);
        } else if (e instanceof Pinned p) {
            out.add(p.cpu());
        } else if (e instanceof Mount m) {
            out.add(m.size());
            out.add(m.path());
        } else if (e instanceof Paren p) {
            out.add(p.inner());
        } else if (e instanceof TemplateString t) {
            t.parts().forEach(part -> {
                if (part instanceof StringPart.Interpolation i) {
                    out.add(i.expression());
                }
            });
        }
        return out;
    }
}
