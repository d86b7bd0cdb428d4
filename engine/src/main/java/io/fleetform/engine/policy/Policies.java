package io.fleetform.engine.policy;

import io.fleetform.dsl.ast.AsClause;
import io.fleetform.dsl.ast.Attribute;
import io.fleetform.dsl.ast.Block;
import io.fleetform.dsl.ast.BodyItem;
import io.fleetform.dsl.ast.Clause;
import io.fleetform.dsl.ast.Expression;
import io.fleetform.dsl.ast.FleetFile;
import io.fleetform.dsl.ast.ForEachClause;
import io.fleetform.dsl.ast.IfClause;
import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.dsl.diag.Diagnostics;
import io.fleetform.dsl.parse.FleetParser;
import io.fleetform.dsl.parse.ParseResult;
import io.fleetform.dsl.source.SourceReader;
import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.eval.EvalContext;
import io.fleetform.engine.eval.EvalOptions;
import io.fleetform.engine.eval.ModuleInstance;
import io.fleetform.engine.eval.ModuleResolver;
import io.fleetform.engine.eval.Scope;
import io.fleetform.engine.eval.function.FunctionRegistry;
import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.plan.Plan;
import io.fleetform.engine.plan.PolicyResult;
import io.fleetform.engine.text.Suggest;
import io.fleetform.engine.value.BoolValue;
import io.fleetform.engine.value.ErrorValue;
import io.fleetform.engine.value.ListValue;
import io.fleetform.engine.value.MapValue;
import io.fleetform.engine.value.StringValue;
import io.fleetform.engine.value.UnknownValue;
import io.fleetform.engine.value.Value;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Rules a plan must pass, written in the fleet language in {@code *.policy} files:
 *
 * <pre>
 * deny "no-destroys-in-pudong" for_each plan.changes as c if c.action == "delete" &amp;&amp; c.idc == "sh-pudong" {
 *   message = "${c.address} would be destroyed; sh-pudong changes need a window"
 * }
 * warn "large-change" if plan.replace + plan.destroy &gt; 10 {
 *   message = "this change replaces or destroys ${plan.replace + plan.destroy} resources"
 * }
 * </pre>
 *
 * A rule fires once (or once per element with {@code for_each ... as NAME}) when its {@code if}
 * holds (no {@code if}: always). Rules see {@code plan} (see {@link PlanValues}) and the built-in
 * functions; no variables, no environment, no files of the fleet, so a rule reads the same on
 * every machine. A policy with a mistake is an error at its {@code file:line:col}: a broken rule
 * never passes silently.
 */
public final class Policies {
    private static final List<String> KINDS = List.of("deny", "warn");

    private record Rule(String name, PolicyResult.Level level, Block block, Optional<Expression> each,
                        Optional<String> as, Optional<Expression> condition, Expression message) {
    }

    /** What {@link #load} found: the rules, and every mistake in the files (nothing is checked while there is one). */
    public record Loaded(Policies policies, List<Diagnostic> diagnostics) {
        public boolean hasErrors() {
            return diagnostics.stream().anyMatch(Diagnostic::isError);
        }
    }

    /** The rules that fired, and the mistakes evaluation found (a rule that reads what the plan does not have). */
    public record Checked(List<PolicyResult> results, List<Diagnostic> diagnostics) {
        public boolean denied() {
            return results.stream().anyMatch(r -> r.level() == PolicyResult.Level.DENY);
        }
    }

    private final List<Rule> rules;

    private Policies(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    public static Policies none() {
        return new Policies(List.of());
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    public int size() {
        return rules.size();
    }

    /** Reads the {@code *.policy} files of each path (a file, or a folder read recursively, in name order). */
    public static Loaded load(List<Path> paths) {
        Diagnostics diagnostics = new Diagnostics();
        List<Path> files = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isRegularFile(path)) {
                files.add(path);
            } else if (Files.isDirectory(path)) {
                try (Stream<Path> walk = Files.walk(path)) {
                    walk.filter(p -> p.getFileName().toString().endsWith(".policy") && Files.isRegularFile(p)).sorted()
                            .forEach(files::add);
                } catch (IOException e) {
                    diagnostics.error("policy-read", SourceSpan.NONE, "cannot read the policy folder " + path + ": "
                            + e.getMessage(), "");
                }
            } else {
                diagnostics.error("policy-read", SourceSpan.NONE, "no policy file or folder " + path, "--policy names "
                        + "a .policy file or a folder of them");
            }
        }
        FleetParser parser = new FleetParser();
        List<Rule> rules = new ArrayList<>();
        Map<String, SourceSpan> names = new HashMap<>();
        for (Path file : files) {
            SourceReader.Result read = SourceReader.read(file, file.toString(), SourceReader.MAX_SOURCE_BYTES);
            read.error().ifPresent(diagnostics::add);
            if (read.file().isEmpty()) {
                continue;
            }
            ParseResult parsed = parser.parse(read.file().get());
            diagnostics.addAll(parsed.diagnostics());
            parsed.file().ifPresent(f -> rules(f, rules, names, diagnostics));
        }
        if (files.isEmpty() && !diagnostics.hasErrors()) {
            diagnostics.error("policy-read", SourceSpan.NONE, "no .policy files in " + paths.stream().map(Path::toString)
                    .reduce((a, b) -> a + ", " + b).orElse("(nothing)"), "");
        }
        return new Loaded(new Policies(rules), diagnostics.sorted());
    }

    private static void rules(FleetFile file, List<Rule> rules, Map<String, SourceSpan> names, Diagnostics d) {
        for (BodyItem item : file.body().items()) {
            if (item instanceof Attribute a) {
                d.error("policy-structure", a.name().span(), "a policy file holds deny and warn rules, not attributes",
                        "write: deny \"name\" if CONDITION { message = \"...\" }");
                continue;
            }
            if (!(item instanceof Block block)) {
                continue;
            }
            if (!KINDS.contains(block.typeName())) {
                d.error("policy-structure", block.type().span(), "unknown rule kind \"" + block.typeName() + "\"",
                        Suggest.didYouMean(block.typeName(), KINDS).isEmpty() ? "a rule is deny \"name\" or warn "
                                + "\"name\"" : Suggest.didYouMean(block.typeName(), KINDS));
                continue;
            }
            rule(block, d).ifPresent(rule -> {
                SourceSpan first = names.putIfAbsent(rule.name(), block.headerSpan());
                if (first != null) {
                    d.error("duplicate", block.headerSpan(), "rule \"" + rule.name() + "\" is declared twice",
                            "first declared at " + first.location());
                } else {
                    rules.add(rule);
                }
            });
        }
    }

    private static Optional<Rule> rule(Block block, Diagnostics d) {
        int before = d.size();
        if (block.labels().size() != 1) {
            d.error("policy-structure", block.headerSpan(), block.typeName() + " takes one name: "
                    + block.typeName() + " \"name\"", "");
        }
        Optional<Expression> each = Optional.empty();
        Optional<String> as = Optional.empty();
        Optional<Expression> condition = Optional.empty();
        for (Clause clause : block.clauses()) {
            if (clause instanceof ForEachClause f) {
                each = Optional.of(f.collection());
            } else if (clause instanceof AsClause a) {
                as = Optional.of(a.name().name());
            } else if (clause instanceof IfClause i) {
                condition = Optional.of(i.condition());
            } else {
                d.error("policy-structure", clause.span(), "a rule takes for_each ... as NAME and if CONDITION only", "");
            }
        }
        if (each.isPresent() != as.isPresent()) {
            d.error("policy-structure", block.headerSpan(), each.isPresent() ? "for_each needs a name for each element: "
                    + "for_each plan.changes as c" : "as NAME goes with for_each", "");
        }
        Expression message = null;
        for (BodyItem item : block.items()) {
            if (item instanceof Attribute a && a.name().name().equals("message")) {
                message = a.value();
            } else if (item instanceof Attribute a) {
                d.error("policy-structure", a.name().span(), "unknown attribute \"" + a.name().name() + "\" in a rule",
                        hint(a.name().name()));
            } else if (item instanceof Block b) {
                d.error("policy-structure", b.type().span(), "a rule holds no blocks, only message = \"...\"", "");
            }
        }
        if (message == null) {
            d.error("policy-structure", block.headerSpan(), block.typeName() + " \"" + block.label().map(l -> l.value())
                    .orElse("") + "\" has no message", "add message = \"...\" saying what is wrong and what to do");
        }
        if (d.size() > before) {
            return Optional.empty();
        }
        PolicyResult.Level level = block.typeName().equals("deny") ? PolicyResult.Level.DENY : PolicyResult.Level.WARN;
        return Optional.of(new Rule(block.label().get().value(), level, block, each, as, condition, message));
    }

    private static String hint(String name) {
        return switch (name) {
            case "when", "condition", "if" -> "the condition goes in the header: deny \"name\" if CONDITION { ... }";
            case "for_each" -> "for_each goes in the header: deny \"name\" for_each plan.changes as c { ... }";
            default -> "a rule has only message";
        };
    }

    /** Runs every rule against the plan; {@code fleet} is the configuration the plan was made from. */
    public Checked check(Plan plan, Fleet fleet, Optional<String> rollout) {
        return run(PlanValues.of(plan, fleet, rollout), false);
    }

    /**
     * The mistakes a rule would make on any plan, found without one ({@code validate --policy}):
     * every rule runs against a plan with one change of every field, whose attribute values
     * ({@code before}, {@code after}) and zone labels are unknown, and its message is evaluated
     * even where its condition does not hold. An unknown attribute of the plan or of a change
     * ({@code c.acton}), a condition that is not true or false, a message that is not a string
     * are errors; what depends on a resource's own attributes is left to the real plan.
     */
    public List<Diagnostic> validate() {
        return run(PlanValues.sample(), true).diagnostics();
    }

    private Checked run(MapValue plan, boolean sample) {
        if (rules.isEmpty()) {
            return new Checked(List.of(), List.of());
        }
        Diagnostics diagnostics = new Diagnostics();
        EvalContext context = new EvalContext(diagnostics, new EvalOptions(Map.of(), List.of(), Map.of(),
                Optional.empty(), false), ModuleResolver.fromClassPath());
        Scope root = ModuleInstance.detachedScope(context, functions(), Path.of(".")).with("plan", plan);
        List<PolicyResult> results = new ArrayList<>();
        for (Rule rule : rules) {
            check(rule, root, context, diagnostics, results, sample);
        }
        return new Checked(sample ? List.of() : results, diagnostics.sorted());
    }

    /** The built-in functions but those that read the world outside the plan: a rule reads the same everywhere. */
    private static FunctionRegistry functions() {
        return FunctionRegistry.of(FunctionRegistry.fromClassPath().all().stream()
                .filter(f -> !OUTSIDE.contains(f.name())).toList());
    }

    private static final java.util.Set<String> OUTSIDE = java.util.Set.of("file", "fileexists", "env", "secret");

    private record Element(Scope scope, Optional<String> address) {
    }

    private static void check(Rule rule, Scope root, EvalContext context, Diagnostics d, List<PolicyResult> results,
                              boolean sample) {
        List<Element> scopes = new ArrayList<>();
        if (rule.each().isEmpty()) {
            scopes.add(new Element(root, Optional.empty()));
        } else {
            Value collection = context.compute("policy:" + rule.name() + ":for_each", "for_each", rule.each().get(), root);
            if (collection instanceof ListValue list) {
                list.elements().forEach(v -> scopes.add(new Element(root.with(rule.as().get(), v), address(v))));
            } else if (collection instanceof MapValue map) {
                map.entries().values().forEach(v -> scopes.add(new Element(root.with(rule.as().get(), v), address(v))));
            } else if (!(collection instanceof ErrorValue) && !(collection instanceof UnknownValue)) {
                d.error("policy-type", rule.each().get().span(), "for_each needs a list or a map, found "
                        + collection.typeName(), "e.g. for_each plan.changes as c");
            }
        }
        for (Element element : scopes) {
            Scope scope = element.scope();
            if (rule.condition().isPresent()) {
                Value holds = context.compute("policy:" + rule.name() + ":if", "if", rule.condition().get(), scope);
                if (holds instanceof ErrorValue) {
                    return; // reported once; the same mistake would repeat for every element
                }
                boolean unknown = sample && holds instanceof UnknownValue;
                if (!unknown && !(holds instanceof BoolValue)) {
                    d.error("policy-type", rule.condition().get().span(), "the condition of rule \"" + rule.name()
                            + "\" must be true or false, found " + holds.typeName(), "");
                    return;
                }
                if (!sample && !((BoolValue) holds).value()) {
                    continue;
                }
            }
            Value message = context.compute("policy:" + rule.name() + ":message", "message", rule.message(), scope);
            if (message instanceof ErrorValue || (sample && message instanceof UnknownValue)) {
                return;
            }
            if (!(message instanceof StringValue text)) {
                d.error("policy-type", rule.message().span(), "message must be a string, found " + message.typeName(),
                        "");
                return;
            }
            SourceSpan at = rule.block().headerSpan();
            results.add(new PolicyResult(rule.name(), rule.level(), text.value(), element.address(), at.file().path(),
                    at.line(), at.column()));
        }
    }

    /** The resource a for_each element stands for: an element of {@code plan.changes} has its address. */
    private static Optional<String> address(Value element) {
        return element instanceof MapValue map && map.entries().get("address") instanceof StringValue a
                ? Optional.of(a.value()) : Optional.empty();
    }
}
