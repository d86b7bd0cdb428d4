package io.fleetform.engine.eval;

import io.fleetform.dsl.ast.Expression;
import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.dsl.diag.Diagnostics;
import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.eval.function.CallContext;
import io.fleetform.engine.value.ErrorValue;
import io.fleetform.engine.value.Value;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The state of one evaluation: its diagnostics, its options, and the chain of attributes
 * being computed right now, which is how reference cycles are found and described.
 */
public final class EvalContext {
    private final Diagnostics diagnostics;
    private final EvalOptions options;
    private final ModuleResolver modules;
    private final ExpressionEvaluator evaluator = new ExpressionEvaluator(this);
    private final Deque<String> evaluating = new ArrayDeque<>();
    private final Set<String> active = new HashSet<>();
    private String currentAttribute;
    private final Set<Path> filesRead = java.util.Collections.synchronizedSet(new java.util.TreeSet<>());

    public EvalContext(Diagnostics diagnostics, EvalOptions options, ModuleResolver modules) {
        this.diagnostics = diagnostics;
        this.options = options;
        this.modules = modules;
    }

    public Diagnostics diagnostics() {
        return diagnostics;
    }

    public EvalOptions options() {
        return options;
    }

    public ModuleResolver modules() {
        return modules;
    }

    public ExpressionEvaluator evaluator() {
        return evaluator;
    }

    /** Files read through {@code file()}: inputs of the configuration like the .fleet files. */
    public Set<Path> filesRead() {
        return Set.copyOf(filesRead);
    }

    /** The attribute being computed, for messages such as "unknown unit for memory". */
    String currentAttribute() {
        return currentAttribute;
    }

    /**
     * Computes an expression on behalf of {@code key} (e.g. {@code local.a}); a mistake inside
     * becomes one diagnostic and an error value, and re-entering a key being computed is a cycle.
     */
    public Value compute(String key, String attributeName, Expression expression, Scope scope) {
        if (!active.add(key)) {
            diagnostics.add(Diagnostic.error("reference-cycle", expression.span(), "reference cycle: " + cycle(key),
                    "break the cycle by computing one of these from something else"));
            return ErrorValue.INSTANCE;
        }
        evaluating.push(key);
        String saved = currentAttribute;
        currentAttribute = attributeName;
        try {
            return evaluator.evaluate(expression, scope);
        } catch (EvalError e) {
            diagnostics.add(e.diagnostic());
            return ErrorValue.INSTANCE;
        } finally {
            currentAttribute = saved;
            evaluating.pop();
            active.remove(key);
        }
    }

    /** Runs a check that may throw {@link EvalError}, reporting instead of throwing. */
    public <T> T guard(java.util.function.Supplier<T> work, T onError) {
        try {
            return work.get();
        } catch (EvalError e) {
            diagnostics.add(e.diagnostic());
            return onError;
        }
    }

    private String cycle(String key) {
        List<String> chain = new ArrayList<>();
        List<String> stack = new ArrayList<>(evaluating);
        java.util.Collections.reverse(stack);
        boolean inCycle = false;
        for (String entry : stack) {
            inCycle |= entry.equals(key);
            if (inCycle) {
                chain.add(entry);
            }
        }
        chain.add(key);
        return String.join(" → ", chain);
    }

    CallContext callContext(ModuleInstance module, SourceSpan span) {
        return new CallContext() {
            @Override
            public Path moduleDir() {
                return module.dir();
            }

            @Override
            public Optional<String> environment(String name) {
                return Optional.ofNullable(options.environment().get(name));
            }

            @Override
            public Optional<String> secret(String name) {
                return readSecret(name);
            }

            @Override
            public SourceSpan callSite() {
                return span;
            }

            @Override
            public void read(Path file) {
                filesRead.add(file.toAbsolutePath().normalize());
            }

            @Override
            public boolean secretsRequired() {
                return options.requireSecrets();
            }

            @Override
            public void warn(String code, String message, String hint) {
                diagnostics.add(Diagnostic.warning(code, span, message, hint));
            }
        };
    }

    /**
     * A secret by name: the environment variable {@code FLEETFORM_SECRET_<NAME>} first, then the
     * file {@code <secrets dir>/<name>}. Never from the fleet's own folder, which is in Git.
     */
    Optional<String> readSecret(String name) {
        String variable = "FLEETFORM_SECRET_" + name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
        String fromEnvironment = options.environment().get(variable);
        if (fromEnvironment != null) {
            return Optional.of(fromEnvironment);
        }
        if (options.secretsDir().isPresent() && name.matches("[A-Za-z0-9._-]+") && !name.startsWith(".")) {
            Path file = options.secretsDir().get().resolve(name);
            if (Files.isRegularFile(file)) {
                try {
                    return Optional.of(Files.readString(file).strip());
                } catch (IOException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }
}
