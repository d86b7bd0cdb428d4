package io.fleetform.engine.eval;

import io.fleetform.engine.text.Suggest;
import io.fleetform.dsl.ast.Attribute;
import io.fleetform.dsl.ast.Block;
import io.fleetform.dsl.ast.BodyItem;
import io.fleetform.dsl.ast.Expression;
import io.fleetform.dsl.ast.Variable;
import io.fleetform.dsl.parse.FleetParser;
import io.fleetform.dsl.parse.ParseResult;
import io.fleetform.dsl.source.SourceFile;
import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.value.BoolValue;
import io.fleetform.engine.value.Dimension;
import io.fleetform.engine.value.ErrorValue;
import io.fleetform.engine.value.ListValue;
import io.fleetform.engine.value.MapValue;
import io.fleetform.engine.value.NullValue;
import io.fleetform.engine.value.NumberValue;
import io.fleetform.engine.value.QuantityValue;
import io.fleetform.engine.value.SensitiveValue;
import io.fleetform.engine.value.StringValue;
import io.fleetform.engine.value.UnknownValue;
import io.fleetform.engine.value.Value;
import java.util.List;

/** Gives a variable its value: input or default, checked against its type, then its validations. */
final class VariableResolver {
    static final List<String> TYPES = List.of("string", "number", "bool", "size", "cpu", "duration", "rate", "list",
            "map", "any");

    private final ModuleInstance module;
    private final VariableInputs inputs;
    private final EvalContext context;

    VariableResolver(ModuleInstance module, VariableInputs inputs) {
        this.module = module;
        this.inputs = inputs;
        this.context = module.context();
    }

    Value resolve(String name, Block block) {
        String type = type(block);
        String key = module.prefix() + "var." + name;
        Located input = input(name, type, key);
        if (input == null) {
            Attribute fallback = attribute(block, "default");
            if (fallback == null) {
                context.diagnostics().error("missing-variable", block.headerSpan(), "variable \"" + name
                        + "\" has no value", module.isRoot() ? "give it with -var " + name + "=VALUE, a -var-file, "
                        + "FLEETFORM_VAR_" + name + ", or a default" : "pass " + name + " = ... in the module call");
                return ErrorValue.INSTANCE;
            }
            input = new Located(name, context.compute(key, "default", fallback.value(), module.scope()),
                    fallback.value().span());
        }
        Attribute sensitive = attribute(block, "sensitive");
        boolean isSensitive = sensitive != null && Boolean.TRUE.equals(Coerce.bool(context, new Located("sensitive",
                context.compute(key + ".sensitive", "sensitive", sensitive.value(), module.scope()),
                sensitive.value().span()), "sensitive"));
        if (isSensitive) {
            // Before the type check, whose message would quote the value.
            context.registerSecret(input.value());
        }
        Value value = typed(input, type);
        return isSensitive ? SensitiveValue.wrap(value, "var." + name) : value;
    }

    void validate(String name, Block block, Value value) {
        if (value instanceof ErrorValue) {
            return;
        }
        int i = 0;
        for (BodyItem item : block.items()) {
            if (!(item instanceof Block validation) || !validation.typeName().equals("validation")) {
                continue;
            }
            String key = module.prefix() + "var." + name + ".validation[" + i++ + "]";
            Attribute condition = attribute(validation, "condition");
            if (condition == null) {
                context.diagnostics().error("missing-attribute", validation.headerSpan(), "validation needs a condition",
                        "e.g. condition = length(var." + name + ") > 0");
                continue;
            }
            Value result = context.compute(key, "condition", condition.value(), module.scope()).unwrap();
            Attribute message = attribute(validation, "message");
            // The message is computed even when the rule holds: a mistake in it must not wait for a bad value.
            String text = message == null ? "the validation condition is false"
                    : Coerce.string(context, new Located("message", context.compute(key + ".message", "message",
                    message.value(), module.scope()), message.value().span()), "message");
            if (result instanceof BoolValue b && !b.value()) {
                context.diagnostics().error("invalid-variable", where(name, block), "invalid value for variable \""
                        + name + "\": " + text, "the rule is at " + condition.value().span().location());
            } else if (!(result instanceof BoolValue) && !(result instanceof ErrorValue)
                    && !(result instanceof UnknownValue)) {
                context.diagnostics().error("type-mismatch", condition.value().span(),
                        "a validation condition must be true or false, found " + Operators.article(result.typeName()), "");
            }
        }
    }

    /** Where a variable's value came from, for messages about it. */
    private SourceSpan where(String name, Block block) {
        Located input = inputs.moduleCall() != null ? inputs.moduleCall().input(name) : null;
        if (input != null) {
            return input.span();
        }
        Attribute fromFile = inputs.fromFile(name);
        if (fromFile != null) {
            return fromFile.value().span();
        }
        VariableInputs.RawInput raw = inputs.raw(name);
        if (raw != null) {
            return rawSpan(name, raw);
        }
        Attribute fallback = attribute(block, "default");
        return fallback != null ? fallback.value().span() : block.headerSpan();
    }

    private Located input(String name, String type, String key) {
        if (inputs.moduleCall() != null) {
            return inputs.moduleCall().input(name);
        }
        Attribute fromFile = inputs.fromFile(name);
        if (fromFile != null) {
            return new Located(name, context.compute(key, name, fromFile.value(), module.scope()),
                    fromFile.value().span());
        }
        VariableInputs.RawInput raw = inputs.raw(name);
        if (raw == null) {
            return null;
        }
        SourceSpan span = rawSpan(name, raw);
        if (type.equals("string")) {
            return new Located(name, new StringValue(raw.text()), span);
        }
        ParseResult parsed = new FleetParser().parse(span.file());
        if (type.equals("any") && (parsed.hasErrors() || !literal(parsed))) {
            return new Located(name, new StringValue(raw.text()), span); // as Terraform: untyped text is a string
        }
        if (!parsed.hasErrors() && parsed.fileOrThrow().body().items().get(0) instanceof Attribute word
                && word.value() instanceof Variable) {
            // A bare word (-var count=abc) is text, so the type check says what is wrong with it.
            return new Located(name, new StringValue(raw.text()), span);
        }
        if (parsed.hasErrors() || !(parsed.fileOrThrow().body().items().get(0) instanceof Attribute attribute)) {
            context.diagnostics().error("invalid-variable", span, "cannot read the value of " + raw.origin()
                    + " as a " + type, type.startsWith("list") ? "write it like [\"a\", \"b\"]" : "");
            return new Located(name, ErrorValue.INSTANCE, span);
        }
        return new Located(name, context.compute(key, name, attribute.value(), module.scope()), span);
    }

    /** True when a -var text is a literal (number, quantity, bool, quoted string, list, map), not a bare word. */
    private static boolean literal(ParseResult parsed) {
        if (!(parsed.fileOrThrow().body().items().get(0) instanceof Attribute attribute)) {
            return false;
        }
        Expression e = attribute.value();
        return e instanceof io.fleetform.dsl.ast.NumberLiteral || e instanceof io.fleetform.dsl.ast.QuantityLiteral
                || e instanceof io.fleetform.dsl.ast.BoolLiteral || e instanceof io.fleetform.dsl.ast.TemplateString
                || e instanceof io.fleetform.dsl.ast.ListExpr || e instanceof io.fleetform.dsl.ast.MapExpr;
    }

    /** A raw value shown as {@code name = text} in a file named after its origin, so messages can point into it. */
    private static SourceSpan rawSpan(String name, VariableInputs.RawInput raw) {
        String text = name + " = " + raw.text();
        return new SourceSpan(new SourceFile(raw.origin(), text), name.length() + 3, raw.text().length());
    }

    private String type(Block block) {
        Attribute attribute = attribute(block, "type");
        if (attribute == null) {
            return "any";
        }
        Expression e = attribute.value();
        String parsed = typeOf(e);
        if (parsed != null) {
            return parsed;
        }
        String written = e instanceof Variable v ? v.name() : e.span().text();
        context.diagnostics().error("unknown-type", e.span(), "unknown variable type \"" + written + "\"",
                hintOr(Suggest.didYouMean(written, TYPES), "types: " + String.join(", ", TYPES)
                        + ", and list(T) or map(T) of one of them"));
        return "any";
    }

    /**
     * A type as written: a name ({@code number}), or a collection of one element type
     * ({@code list(string)}, {@code map(size)}, {@code list(map(number))}); null if it is neither.
     */
    private static String typeOf(Expression e) {
        if (e instanceof Variable v && TYPES.contains(v.name())) {
            return v.name();
        }
        if (e instanceof io.fleetform.dsl.ast.Call c && c.arguments().size() == 1
                && (c.function().name().equals("list") || c.function().name().equals("map"))) {
            String element = typeOf(c.arguments().get(0));
            return element == null ? null : c.function().name() + "(" + element + ")";
        }
        return null;
    }

    private static String hintOr(String hint, String otherwise) {
        return hint.isEmpty() ? otherwise : hint;
    }

    private Value typed(Located input, String type) {
        return typed(input, type, "variable \"" + input.attribute() + "\"");
    }

    /** Checks (and settles: 500m as CPU, 1 as "1") a value against a type; {@code what} names it in messages. */
    private Value typed(Located input, String type, String what) {
        Value value = input.value();
        Value plain = value.unwrap();
        int open = type.indexOf('(');
        if (open > 0 && !(plain instanceof ErrorValue || plain instanceof UnknownValue || plain instanceof NullValue)) {
            return typedCollection(input, type.substring(0, open), type.substring(open + 1, type.length() - 1), what);
        }
        if (plain instanceof ErrorValue || plain instanceof UnknownValue || plain instanceof NullValue
                || type.equals("any")) {
            return value;
        }
        boolean ok = switch (type) {
            case "string" -> plain instanceof StringValue;
            case "number" -> plain instanceof NumberValue;
            case "bool" -> plain instanceof BoolValue;
            case "list" -> plain instanceof ListValue;
            case "map" -> plain instanceof MapValue;
            default -> {
                Dimension dimension = switch (type) {
                    case "size" -> Dimension.SIZE;
                    case "cpu" -> Dimension.CPU;
                    case "duration" -> Dimension.DURATION;
                    default -> Dimension.RATE;
                };
                if (plain instanceof QuantityValue q && q.as(dimension).dimension() == dimension) {
                    Value settled = q.as(dimension);
                    yield (value = value.isSensitive() ? SensitiveValue.wrap(settled, "var") : settled) != null;
                }
                yield false;
            }
        };
        if (!ok) {
            if (type.equals("string") && (plain instanceof NumberValue || plain instanceof BoolValue)) {
                return rewrap(value, new StringValue(plain.display()));
            }
            Coerce.mismatch(context, input, plain, what, "a " + type);
            return ErrorValue.INSTANCE;
        }
        return value;
    }

    private Value typedCollection(Located input, String kind, String element, String what) {
        Value value = input.value();
        Value plain = value.unwrap();
        boolean failed = false;
        if (kind.equals("list") && plain instanceof ListValue list) {
            List<Value> elements = new java.util.ArrayList<>(list.elements().size());
            for (int i = 0; i < list.elements().size(); i++) {
                Value checked = typed(new Located(input.attribute(), list.elements().get(i), input.span()), element,
                        what + " element " + i);
                failed |= checked instanceof ErrorValue;
                elements.add(checked);
            }
            return failed ? ErrorValue.INSTANCE : rewrap(value, new ListValue(elements));
        }
        if (kind.equals("map") && plain instanceof MapValue map) {
            java.util.Map<String, Value> entries = new java.util.LinkedHashMap<>();
            for (java.util.Map.Entry<String, Value> e : map.entries().entrySet()) {
                Value checked = typed(new Located(input.attribute(), e.getValue(), input.span()), element,
                        what + " key \"" + e.getKey() + "\"");
                failed |= checked instanceof ErrorValue;
                entries.put(e.getKey(), checked);
            }
            return failed ? ErrorValue.INSTANCE : rewrap(value, new MapValue(entries));
        }
        Coerce.mismatch(context, input, plain, what, "a " + kind + " of " + element);
        return ErrorValue.INSTANCE;
    }

    private static Value rewrap(Value original, Value settled) {
        return original instanceof SensitiveValue s ? SensitiveValue.wrap(settled, s.source()) : settled;
    }

    private static Attribute attribute(Block block, String name) {
        for (BodyItem item : block.items()) {
            if (item instanceof Attribute a && a.name().name().equals(name)) {
                return a;
            }
        }
        return null;
    }
}
