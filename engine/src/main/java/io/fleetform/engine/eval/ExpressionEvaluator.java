package io.fleetform.engine.eval;

import io.fleetform.engine.text.Suggest;
import io.fleetform.dsl.ast.*;
import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.eval.function.FleetFunction;
import io.fleetform.engine.eval.function.FunctionError;
import io.fleetform.engine.value.BoolValue;
import io.fleetform.engine.value.Dimension;
import io.fleetform.engine.value.Entity;
import io.fleetform.engine.value.ErrorValue;
import io.fleetform.engine.value.ListValue;
import io.fleetform.engine.value.MapValue;
import io.fleetform.engine.value.MountValue;
import io.fleetform.engine.value.NullValue;
import io.fleetform.engine.value.NumberValue;
import io.fleetform.engine.value.QuantityValue;
import io.fleetform.engine.value.RefValue;
import io.fleetform.engine.value.SensitiveValue;
import io.fleetform.engine.value.StringValue;
import io.fleetform.engine.value.SymbolValue;
import io.fleetform.engine.value.UnknownValue;
import io.fleetform.engine.value.Units;
import io.fleetform.engine.value.Value;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Computes the value of an expression in a scope. Errors are thrown as {@link EvalError} and
 * become one diagnostic where the attribute is computed. Secrets stay wrapped through every
 * operation; unknown values make the result unknown; error values make it an error value
 * without a second message.
 */
public final class ExpressionEvaluator {
    private final EvalContext context;

    public ExpressionEvaluator(EvalContext context) {
        this.context = context;
    }

    public Value evaluate(Expression e, Scope scope) {
        if (e instanceof NumberLiteral n) {
            return new NumberValue(n.value());
        } else if (e instanceof QuantityLiteral q) {
            return quantity(q);
        } else if (e instanceof TemplateString t) {
            return template(t, scope);
        } else if (e instanceof Variable v) {
            return variable(v, scope);
        } else if (e instanceof GetAttr g) {
            return getAttr(g, scope);
        } else if (e instanceof BoolLiteral b) {
            return BoolValue.of(b.value());
        } else if (e instanceof NullLiteral) {
            return NullValue.INSTANCE;
        } else if (e instanceof Binary b) {
            return binary(b, scope);
        } else if (e instanceof Conditional c) {
            return conditional(c, scope);
        } else if (e instanceof Call c) {
            return call(c, scope);
        } else if (e instanceof IndexExpr i) {
            return index(i, scope);
        } else if (e instanceof Unary u) {
            return unary(u, scope);
        } else if (e instanceof ListExpr l) {
            List<Value> elements = new ArrayList<>(l.elements().size());
            for (Expression element : l.elements()) {
                elements.add(evaluate(element, scope));
            }
            return new ListValue(elements);
        } else if (e instanceof MapExpr m) {
            return map(m, scope);
        } else if (e instanceof ListFor f) {
            return listFor(f, scope);
        } else if (e instanceof MapFor f) {
            return mapFor(f, scope);
        } else if (e instanceof Pinned p) {
            return pinned(p, scope);
        } else if (e instanceof Mount m) {
            return mount(m, scope);
        } else if (e instanceof Paren p) {
            return evaluate(p.inner(), scope);
        }
        throw new IllegalStateException("unevaluated expression " + e.getClass().getSimpleName());
    }

    private Value quantity(QuantityLiteral q) {
        Optional<QuantityValue> value = Units.quantity(q.amount(), q.unit(), q.text());
        EvalError error = value.isEmpty() ? unitError(q, context.currentAttribute()) : spacingError(q);
        if (error != null) {
            throw error;
        }
        return value.get();
    }

    /** What is wrong with a quantity literal as written, or null; also used by the schema check. */
    static EvalError literalError(QuantityLiteral q, String attribute) {
        if (Units.quantity(q.amount(), q.unit(), q.text()).isEmpty()) {
            return unitError(q, attribute);
        }
        return spacingError(q);
    }

    private static EvalError spacingError(QuantityLiteral q) {
        boolean spaced = q.text().indexOf(' ') >= 0 && !q.unit().equals("cores");
        if (spaced) {
            String amount = q.text().substring(0, q.text().indexOf(' '));
            if (amount.indexOf('e') >= 0 || amount.indexOf('E') >= 0) {
                // "write 1e18m" would repeat the input: a quantity literal has no exponent form.
                return Operators.error("unit-spacing", q.span(), "a number with an exponent cannot take a unit",
                        "multiply instead: " + amount + " * 1" + q.unit());
            }
            return Operators.error("unit-spacing", q.span(), "a unit is written right after its number",
                    "write " + amount + q.unit());
        }
        return null;
    }

    /** The error for a literal whose unit does not exist; also used before evaluation, by the schema check. */
    static EvalError unitError(QuantityLiteral q, String attribute) {
        Dimension expected = Schema.dimensionOf(attribute);
        List<Units.Unit> suggestions = Units.suggestions(q.unit(), expected);
        String amount = q.text().substring(0, q.text().length() - q.unit().length()).strip();
        StringBuilder hint = new StringBuilder();
        for (Units.Unit unit : suggestions) {
            hint.append(hint.length() == 0 ? "did you mean " : " or ")
                    .append(amount).append(unit.dimension() == Dimension.CPU && unit.symbol().startsWith("core")
                            ? " " + unit.symbol() : unit.symbol());
            if (!(unit.dimension() == Dimension.CPU && unit.symbol().startsWith("core"))) {
                hint.append(" (").append(unit.description()).append(')');
            }
        }
        if (hint.length() > 0) {
            hint.append('?');
        } else if (expected != null) {
            hint.append("expected ").append(Units.example(expected));
        }
        String where = attribute == null ? "" : " for " + attribute;
        return Operators.error("unknown-unit", q.span(), "unknown unit \"" + q.unit() + "\"" + where, hint.toString());
    }

    private Value template(TemplateString t, Scope scope) {
        String constant = t.constantValue();
        if (constant != null) {
            return new StringValue(constant);
        }
        List<StringPart> parts = t.parts();
        // The first piece is kept as it is and a builder made only for a second: "${z.name}" is then the
        // zone's own name, not a copy of it (200,000 env values and labels at 20,000 zones).
        String first = null;
        StringBuilder text = null;
        String sensitiveSource = null;
        boolean unknown = false;
        for (int i = 0; i < parts.size(); i++) { // indexed: no iterator per string evaluated
            StringPart part = parts.get(i);
            if (part instanceof StringPart.Text literal) {
                if (first == null) {
                    first = literal.value();
                } else {
                    text = (text == null ? new StringBuilder(first) : text).append(literal.value());
                }
                continue;
            }
            StringPart.Interpolation interpolation = (StringPart.Interpolation) part;
            Value value = evaluate(interpolation.expression(), scope);
            if (value instanceof ErrorValue) {
                return value;
            }
            if (value instanceof SensitiveValue s) {
                sensitiveSource = sensitiveSource == null ? s.source() : sensitiveSource;
                value = s.inner();
            }
            if (value instanceof UnknownValue) {
                unknown = true;
                continue;
            }
            String piece = Strings.interpolate(value, interpolation.expression().span());
            if (first == null) {
                first = piece;
            } else {
                text = (text == null ? new StringBuilder(first) : text).append(piece);
            }
        }
        Value result = unknown ? UnknownValue.AFTER_PLAN
                : new StringValue(text != null ? text.toString() : first != null ? first : "");
        return sensitiveSource == null ? result : SensitiveValue.wrap(result, sensitiveSource);
    }

    private Value variable(Variable v, Scope scope) {
        Value value = scope.lookup(v.name());
        return value != null ? value : new SymbolValue(v.name(), v.span(), scope::visibleNames);
    }

    private Value getAttr(GetAttr g, Scope scope) {
        Value target = evaluate(g.target(), scope);
        String name = g.name().name();
        if (target instanceof SymbolValue symbol) {
            return scope.module().namespaces().resolve(symbol, g.name(), g.span());
        }
        return attributeOf(target, name, g.name().span(), g.span());
    }

    /** {@code target.name} on a computed value: a map key or an entity's attribute. */
    Value attributeOf(Value target, String name, SourceSpan nameSpan, SourceSpan whole) {
        if (target instanceof ErrorValue || target instanceof UnknownValue) {
            return target;
        }
        if (target instanceof SensitiveValue s) {
            try {
                return SensitiveValue.wrap(attributeOf(s.inner(), name, nameSpan, whole), s.source());
            } catch (EvalError e) {
                throw Operators.error(e.diagnostic().code(), nameSpan, "no attribute \"" + name + "\" in this"
                        + " sensitive value", "its keys are not listed, as they could reveal the secret; it comes from "
                        + s.source()).dependingOn(s.source());
            }
        }
        if (target instanceof MapValue map) {
            Value value = map.entries().get(name);
            if (value == null) {
                throw Operators.error("unknown-attribute", nameSpan, "no attribute \"" + name + "\" here",
                        hintFor(name, map.entries().keySet()));
            }
            return value;
        }
        if (target instanceof RefValue ref) {
            Entity entity = ref.entity();
            context.confined(entity);
            return entity.attribute(name, whole).orElseThrow(() -> Operators.error("unknown-attribute", nameSpan,
                    entity.kind() + " " + entity.name() + " has no attribute \"" + name + "\"",
                    hintFor(name, entity.attributeNames())));
        }
        if (target instanceof ListValue) {
            throw Operators.error("type-mismatch", nameSpan, "a list has no attribute \"" + name + "\"",
                    "take it from each element: [for x in list : x." + name + "]");
        }
        throw Operators.error("type-mismatch", nameSpan, Operators.article(target.typeName()) + " has no attribute \""
                + name + "\"", "");
    }

    private static String hintFor(String name, java.util.Collection<String> candidates) {
        String hint = Suggest.didYouMean(name, candidates);
        if (hint.isEmpty() && !candidates.isEmpty() && candidates.size() <= 8) {
            return "available: " + String.join(", ", candidates);
        }
        return hint;
    }

    private Value binary(Binary b, Scope scope) {
        if (b.op() == Binary.Operator.AND || b.op() == Binary.Operator.OR) {
            return logical(b, scope);
        }
        Value left = evaluate(b.left(), scope);
        Value right = evaluate(b.right(), scope);
        if (left instanceof ErrorValue || right instanceof ErrorValue) {
            return ErrorValue.INSTANCE;
        }
        String source = null;
        if (mayHoldSecret(left) || mayHoldSecret(right)) {
            // [secret("t")] == ["guess"] compares the secret as surely as secret("t") == "guess" does
            SensitiveValue.Stripped l = SensitiveValue.strip(left);
            SensitiveValue.Stripped r = SensitiveValue.strip(right);
            source = l.source() != null ? l.source() : r.source();
            left = l.value();
            right = r.value();
        }
        Value result;
        if (left instanceof UnknownValue || right instanceof UnknownValue) {
            result = UnknownValue.AFTER_PLAN;
        } else {
            try {
                result = Operators.binary(b.op(), left, right, b.span());
            } catch (EvalError e) {
                throw e.dependingOn(source);
            }
        }
        return source == null ? result : SensitiveValue.wrap(result, source);
    }

    private Value logical(Binary b, Scope scope) {
        Value left = evaluate(b.left(), scope);
        Boolean l = bool(left, b.left().span(), b.op().symbol);
        if (l == null) {
            return left instanceof ErrorValue ? left : UnknownValue.AFTER_PLAN;
        }
        if (b.op() == Binary.Operator.AND && !l || b.op() == Binary.Operator.OR && l) {
            // the answer is the left side's, secret or not
            return left instanceof SensitiveValue s ? SensitiveValue.wrap(BoolValue.of(l), s.source()) : BoolValue.of(l);
        }
        Value right = evaluate(b.right(), scope);
        Boolean r = bool(right, b.right().span(), b.op().symbol);
        if (r == null) {
            return right instanceof ErrorValue ? right : UnknownValue.AFTER_PLAN;
        }
        Value result = BoolValue.of(r);
        String source = sensitiveSource(left, right);
        return source == null ? result : SensitiveValue.wrap(result, source);
    }

    private Boolean bool(Value value, SourceSpan span, String what) {
        Value plain = value.unwrap();
        if (plain instanceof BoolValue b) {
            return b.value();
        }
        if (plain instanceof ErrorValue || plain instanceof UnknownValue) {
            return null;
        }
        throw Operators.error("type-mismatch", span, "'" + what + "' needs a bool, found "
                + Operators.article(plain.typeName()), symbolHint(plain));
    }

    private static String symbolHint(Value value) {
        if (value instanceof SymbolValue s) {
            String close = Suggest.didYouMean(s.name(), s.namesInScope().get());
            return close.isEmpty() ? s.name() + " is not defined" : close;
        }
        return "";
    }

    private Value conditional(Conditional c, Scope scope) {
        Value condition = evaluate(c.condition(), scope);
        Boolean test = bool(condition, c.condition().span(), "?:");
        if (test == null) {
            return condition instanceof ErrorValue ? condition : UnknownValue.AFTER_PLAN;
        }
        Value result = evaluate(test ? c.whenTrue() : c.whenFalse(), scope);
        return condition instanceof SensitiveValue s ? SensitiveValue.wrap(result, s.source()) : result;
    }

    /**
     * {@code try} and {@code can} are forms, not functions: their arguments are evaluated by them,
     * one at a time, so that a mistake in one becomes the answer instead of a diagnostic.
     */
    public static final List<String> FORMS = List.of(
            "try(expressions...) value  # the first argument that evaluates without an error",
            "can(expression) bool  # true when the expression evaluates without an error");

    private Value form(Call c, Scope scope) {
        String name = c.function().name();
        if (name.equals("can") && c.arguments().size() != 1 || c.arguments().isEmpty()) {
            throw Operators.error("function-error", c.span(), name + "() takes " + (name.equals("can") ? "1 argument"
                    : "at least 1 argument") + ", got " + c.arguments().size(), "usage: " + FORMS.get(
                    name.equals("try") ? 0 : 1).replaceAll("  #.*", ""));
        }
        EvalError last = null;
        // Whether an argument fails can depend on a secret (tonumber(secret("t"))): then so does the answer.
        String source = null;
        for (Expression argument : c.arguments()) {
            Value value;
            try {
                value = evaluate(argument, scope);
            } catch (EvalError e) {
                last = e;
                source = source == null ? e.sensitiveSource() : source;
                continue;
            }
            if (value instanceof ErrorValue) {
                continue;
            }
            String from = source != null ? source : value instanceof SensitiveValue s ? s.source() : null;
            Value answer = name.equals("can") ? value.unwrap() instanceof UnknownValue ? value : BoolValue.of(true)
                    : value;
            return from == null ? answer : SensitiveValue.wrap(answer, from);
        }
        if (name.equals("can")) {
            return source == null ? BoolValue.of(false) : SensitiveValue.wrap(BoolValue.of(false), source);
        }
        if (last == null) {
            return ErrorValue.INSTANCE;
        }
        throw Operators.error("function-error", last.diagnostic().span(), "try(): no argument evaluates without an"
                + " error; the last: " + last.diagnostic().message(), last.diagnostic().hint()).dependingOn(source);
    }

    private Value call(Call c, Scope scope) {
        String name = c.function().name();
        if ((name.equals("try") || name.equals("can")) && scope.module().functions().get(name) == null) {
            return form(c, scope);
        }
        FleetFunction function = scope.module().functions().get(name);
        if (function == null) {
            throw Operators.error("unknown-function", c.function().span(), "unknown function " + name + "()",
                    Suggest.didYouMean(name, scope.module().functions().names()));
        }
        List<Value> args = new ArrayList<>(c.arguments().size());
        String source = null;
        boolean unknown = false;
        for (Expression argument : c.arguments()) {
            Value value = evaluate(argument, scope);
            if (value instanceof ErrorValue) {
                return value;
            }
            if (function.seesSecrets()) {
                // nonsensitive(), issensitive(): the value as it is
            } else if (function.movesValues() || !mayHoldSecret(value)) {
                if (value instanceof SensitiveValue s) {
                    source = source == null ? s.source() : source;
                    value = s.inner();
                }
            } else {
                // The function looks at the elements (contains, join, jsonencode): a secret inside one is an argument
                // like a secret passed directly, and the whole result is sensitive.
                SensitiveValue.Stripped stripped = SensitiveValue.strip(value);
                source = source == null ? stripped.source() : source;
                value = stripped.value();
            }
            unknown |= value instanceof UnknownValue;
            args.add(value);
        }
        if (unknown && !function.acceptsUnknown()) {
            return source == null ? UnknownValue.AFTER_PLAN : SensitiveValue.wrap(UnknownValue.AFTER_PLAN, source);
        }
        Value result;
        try {
            result = function.call(args, context.callContext(scope.module(), c.span()));
        } catch (FunctionError e) {
            int at = e.argumentIndex();
            SourceSpan span = at >= 0 && at < c.arguments().size() ? c.arguments().get(at).span() : c.span();
            if (source != null) {
                // The reason could quote the secret, or something computed from it: whatever the function.
                throw Operators.error("function-error", span, name + "(): failed on a sensitive argument (the reason"
                        + " is not shown, as it could reveal the secret)", "the sensitive value comes from " + source)
                        .dependingOn(source);
            }
            throw Operators.error("function-error", span, name + "(): " + e.getMessage(), e.hint());
        }
        return source == null ? result : SensitiveValue.wrap(result, source);
    }

    private Value index(IndexExpr i, Scope scope) {
        Value target = evaluate(i.target(), scope);
        Value key = evaluate(i.index(), scope);
        if (target instanceof ErrorValue || key instanceof ErrorValue) {
            return ErrorValue.INSTANCE;
        }
        String source = sensitiveSource(target, key);
        if (source != null) {
            try {
                return SensitiveValue.wrap(plainIndex(i, target.unwrap(), key.unwrap(), scope), source);
            } catch (EvalError e) {
                throw Operators.error(e.diagnostic().code(), e.diagnostic().span(), "cannot take this element of a"
                        + " sensitive value (the reason is not shown, as it could reveal the secret)",
                        "the sensitive value comes from " + source).dependingOn(source);
            }
        }
        return plainIndex(i, target, key, scope);
    }

    private Value plainIndex(IndexExpr i, Value target, Value key, Scope scope) {
        Value result;
        if (target instanceof UnknownValue || key instanceof UnknownValue) {
            result = UnknownValue.AFTER_PLAN;
        } else if (target instanceof SymbolValue namespace && key instanceof StringValue k) {
            // idc[name]: a declared block chosen by a computed name, as idc.name is by a written one.
            result = scope.module().namespaces().resolve(namespace, new Identifier(k.value(), i.index().span()),
                    i.span());
        } else if (target instanceof ListValue list && key instanceof NumberValue n) {
            if (!n.isInteger()) {
                throw Operators.error("type-mismatch", i.index().span(), "a list index must be a whole number", "");
            }
            if (n.value().signum() < 0 || n.value().compareTo(BigDecimal.valueOf(list.elements().size())) >= 0) {
                throw Operators.error("index-out-of-range", i.index().span(), "index " + Coerce.shortNumber(n)
                        + " is out of range for a list of " + list.elements().size(), "");
            }
            result = list.elements().get(n.value().intValueExact());
        } else if (target instanceof MapValue || target instanceof RefValue) {
            if (!(key instanceof StringValue k)) {
                throw Operators.error("type-mismatch", i.index().span(), "a map key must be a string, found "
                        + Operators.article(key.typeName()), "");
            }
            result = attributeOf(target, k.value(), i.index().span(), i.span());
        } else {
            throw Operators.error("type-mismatch", i.span(), "cannot index " + Operators.article(target.typeName())
                    + " with " + Operators.article(key.typeName()), "");
        }
        return result;
    }

    private Value unary(Unary u, Scope scope) {
        Value operand = evaluate(u.operand(), scope);
        if (operand instanceof ErrorValue) {
            return operand;
        }
        String source = sensitiveSource(operand, operand);
        Value plain = operand.unwrap();
        Value result;
        if (plain instanceof UnknownValue) {
            result = plain;
        } else if (u.op() == Unary.Operator.NOT) {
            try {
                result = BoolValue.of(!bool(plain, u.operand().span(), "!"));
            } catch (EvalError e) {
                throw e.dependingOn(source);
            }
        } else if (plain instanceof NumberValue n) {
            result = new NumberValue(n.value().negate());
        } else if (plain instanceof QuantityValue q) {
            result = new QuantityValue(q.amount().negate(), q.dimension());
        } else {
            throw Operators.error("type-mismatch", u.span(), "cannot negate " + Operators.article(plain.typeName()), "")
                    .dependingOn(source);
        }
        return source == null ? result : SensitiveValue.wrap(result, source);
    }

    private Value map(MapExpr m, Scope scope) {
        if (m.entries().size() <= MapValue.SMALL) {
            return smallMap(m, scope);
        }
        // Sized for its entries: the default table of 16 is most of a small map's bytes, and a map per zone adds up.
        LinkedHashMap<String, Value> entries = new LinkedHashMap<>(Math.max(2, (m.entries().size() * 4 + 2) / 3));
        List<MapEntry> mapEntries = m.entries();
        for (int i = 0; i < mapEntries.size(); i++) { // indexed: no iterator per map evaluated
            MapEntry entry = mapEntries.get(i);
            String key = mapKey(evaluate(entry.key(), scope), entry.key().span());
            if (key == null) {
                return UnknownValue.AFTER_PLAN;
            }
            if (entries.containsKey(key)) {
                throw Operators.error("duplicate-key", entry.key().span(), "key \"" + key + "\" appears twice in this map",
                        "");
            }
            entries.put(key, evaluate(entry.value(), scope));
        }
        return MapValue.adopt(entries);
    }

    /** {@link #map} for a few entries, in the same order, with the same checks and messages. */
    private Value smallMap(MapExpr m, Scope scope) {
        List<MapEntry> mapEntries = m.entries();
        @SuppressWarnings("unchecked")
        Map.Entry<String, Value>[] entries = new Map.Entry[mapEntries.size()];
        for (int i = 0; i < entries.length; i++) {
            MapEntry entry = mapEntries.get(i);
            String key = mapKey(evaluate(entry.key(), scope), entry.key().span());
            if (key == null) {
                return UnknownValue.AFTER_PLAN;
            }
            for (int j = 0; j < i; j++) {
                if (entries[j].getKey().equals(key)) {
                    throw Operators.error("duplicate-key", entry.key().span(), "key \"" + key
                            + "\" appears twice in this map", "");
                }
            }
            entries[i] = new java.util.AbstractMap.SimpleImmutableEntry<>(key, evaluate(entry.value(), scope));
        }
        return MapValue.ofSmall(entries);
    }

    private static String mapKey(Value key, SourceSpan span) {
        Value plain = key.unwrap();
        if (plain instanceof UnknownValue || plain instanceof ErrorValue) {
            return null;
        }
        if (key.isSensitive()) {
            throw Operators.error("sensitive-key", span, "a map key cannot be sensitive", "keys are shown in plans");
        }
        if (plain instanceof StringValue s) {
            return s.value();
        }
        if (plain instanceof SymbolValue s) {
            return s.name();
        }
        if (plain instanceof NumberValue n) {
            return n.display();
        }
        throw Operators.error("type-mismatch", span, "a map key must be a string, found "
                + Operators.article(plain.typeName()), "");
    }

    private Value listFor(ListFor f, Scope scope) {
        Value collection = evaluate(f.collection(), scope);
        List<Value> result = new ArrayList<>();
        String[] filteredBy = {null};
        boolean done = iterate(collection, f.collection().span(), f.keyVar(), f.valueVar(), scope, inner -> {
            if (f.condition().isPresent() && !test(f.condition().get(), inner, filteredBy)) {
                return;
            }
            result.add(evaluate(f.value(), inner));
        });
        return done ? filtered(new ListValue(result), filteredBy[0]) : special(collection);
    }

    private Value mapFor(MapFor f, Scope scope) {
        Value collection = evaluate(f.collection(), scope);
        Map<String, Value> result = new LinkedHashMap<>();
        boolean[] unknownKey = {false};
        String[] filteredBy = {null};
        boolean done = iterate(collection, f.collection().span(), f.keyVar(), f.valueVar(), scope, inner -> {
            if (f.condition().isPresent() && !test(f.condition().get(), inner, filteredBy)) {
                return;
            }
            String key = mapKey(evaluate(f.key(), inner), f.key().span());
            if (key == null) {
                unknownKey[0] = true;
                return;
            }
            if (result.containsKey(key)) {
                throw Operators.error("duplicate-key", f.key().span(), "two elements produce the key \"" + key + "\"",
                        "keys of a map made by 'for' must be unique");
            }
            result.put(key, evaluate(f.value(), inner));
        });
        if (!done) {
            return special(collection);
        }
        return unknownKey[0] ? UnknownValue.AFTER_PLAN : filtered(new MapValue(result), filteredBy[0]);
    }

    /** Which elements a {@code for} kept can depend on a secret ({@code if x == secret("t")}): then all of it does. */
    private static Value filtered(Value result, String source) {
        return source == null ? result : SensitiveValue.wrap(result, source);
    }

    private static Value special(Value collection) {
        return collection instanceof ErrorValue ? collection : UnknownValue.AFTER_PLAN;
    }

    private boolean test(Expression condition, Scope scope, String[] sensitiveSource) {
        Value tested = evaluate(condition, scope);
        if (tested instanceof SensitiveValue s && sensitiveSource[0] == null) {
            sensitiveSource[0] = s.source();
        }
        Boolean value = bool(tested, condition.span(), "if");
        return value != null && value;
    }

    /** Runs the body for each element; false when the collection is not known (error or unknown). */
    private boolean iterate(Value collection, SourceSpan span, Optional<Identifier> keyVar, Identifier valueVar,
                            Scope scope, java.util.function.Consumer<Scope> body) {
        Value plain = collection.unwrap();
        if (plain instanceof ErrorValue || plain instanceof UnknownValue) {
            return false;
        }
        if (collection.isSensitive()) {
            throw Operators.error("sensitive-iteration", span, "cannot iterate over a sensitive value",
                    "the number of elements would reveal it");
        }
        int size = plain instanceof ListValue l ? l.elements().size() : plain instanceof MapValue m ? m.entries().size() : 0;
        context.work(size, span);
        if (plain instanceof ListValue list) {
            for (int i = 0; i < list.elements().size(); i++) {
                Scope inner = scope;
                if (keyVar.isPresent()) {
                    inner = inner.with(keyVar.get().name(), NumberValue.of(i));
                }
                body.accept(inner.with(valueVar.name(), list.elements().get(i)));
            }
            return true;
        }
        if (plain instanceof MapValue map) {
            for (Map.Entry<String, Value> entry : map.entries().entrySet()) {
                Scope inner = scope;
                if (keyVar.isPresent()) {
                    inner = inner.with(keyVar.get().name(), new StringValue(entry.getKey()));
                }
                body.accept(inner.with(valueVar.name(), entry.getValue()));
            }
            return true;
        }
        throw Operators.error("type-mismatch", span, "'for' needs a list or a map, found "
                + Operators.article(plain.typeName()), symbolHint(plain));
    }

    private Value pinned(Pinned p, Scope scope) {
        Value cpu = evaluate(p.cpu(), scope);
        String source = SensitiveValue.sourceIn(cpu);
        Value result = pinnedPlain(p, cpu.unwrap());
        // a CPU amount computed from a secret stays one when pinned (and is refused where it is used)
        return source == null || result instanceof ErrorValue ? result : SensitiveValue.wrap(result, source);
    }

    private Value pinnedPlain(Pinned p, Value plain) {
        if (plain instanceof ErrorValue || plain instanceof UnknownValue) {
            return plain;
        }
        if (plain instanceof QuantityValue q && q.pinned()) {
            throw Operators.error("duplicate-modifier", p.span(), "'pinned' is written twice", "write it once: "
                    + "8 cores pinned");
        }
        if (plain instanceof QuantityValue q && (q.dimension() == Dimension.CPU
                || q.dimension() == Dimension.CPU_OR_DURATION)) {
            return q.as(Dimension.CPU).withPinned();
        }
        throw Operators.error("type-mismatch", p.cpu().span(), "'pinned' applies to a CPU amount such as 8 cores, found "
                + Operators.article(plain.typeName()), "");
    }

    private Value mount(Mount m, Scope scope) {
        Value sized = evaluate(m.size(), scope);
        Value pathed = evaluate(m.path(), scope);
        // "/data/${secret("t")}" must not lose its mark by becoming a disk: the disk is then sensitive as a whole,
        // and the model refuses it where a path is shown (plans, Docker mounts, Kubernetes volumes).
        String source = sensitiveSource(sized, pathed);
        Value result = mountPlain(m, sized.unwrap(), pathed.unwrap());
        return source == null || result instanceof ErrorValue ? result : SensitiveValue.wrap(result, source);
    }

    private Value mountPlain(Mount m, Value size, Value path) {
        if (size instanceof ErrorValue || path instanceof ErrorValue) {
            return ErrorValue.INSTANCE;
        }
        if (!(size instanceof QuantityValue q) || q.dimension() != Dimension.SIZE) {
            throw Operators.error("type-mismatch", m.size().span(), "a disk needs a size such as 200Gi, found "
                    + Operators.article(size.typeName()), "");
        }
        if (!(path instanceof StringValue s) || !s.value().startsWith("/")) {
            throw Operators.error("type-mismatch", m.path().span(), "a disk is mounted at an absolute path such as \"/data\"",
                    "");
        }
        return new MountValue(q, s.value());
    }

    /** A value a secret can hide in: one, or a list or map (which may hold one). */
    private static boolean mayHoldSecret(Value value) {
        return value instanceof SensitiveValue || value instanceof ListValue || value instanceof MapValue;
    }

    private static String sensitiveSource(Value a, Value b) {
        if (a instanceof SensitiveValue s) {
            return s.source();
        }
        return b instanceof SensitiveValue s ? s.source() : null;
    }
}
