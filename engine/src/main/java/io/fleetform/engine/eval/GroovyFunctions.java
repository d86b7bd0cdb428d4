package io.fleetform.engine.eval;

import io.fleetform.engine.eval.function.*;
import groovy.lang.GroovyClassLoader;
import groovy.lang.GroovyCodeSource;
import groovy.lang.Script;
import io.fleetform.dsl.diag.Diagnostics;
import io.fleetform.dsl.source.SourceFile;
import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.value.BoolValue;
import io.fleetform.engine.value.ListValue;
import io.fleetform.engine.value.MapValue;
import io.fleetform.engine.value.NullValue;
import io.fleetform.engine.value.NumberValue;
import io.fleetform.engine.value.QuantityValue;
import io.fleetform.engine.value.RefValue;
import io.fleetform.engine.value.SensitiveValue;
import io.fleetform.engine.value.StringValue;
import io.fleetform.engine.value.SymbolValue;
import io.fleetform.engine.value.Value;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.codehaus.groovy.control.CompilationFailedException;
import org.codehaus.groovy.control.MultipleCompilationErrorsException;
import org.codehaus.groovy.control.messages.SyntaxErrorMessage;
import org.codehaus.groovy.syntax.SyntaxException;

/**
 * A fleet's own functions: every method of the Groovy scripts in its {@code functions/}
 * folder becomes a function of the same name. They are the repository's own code and run
 * with Fleetform's permissions, like a build script; Groovy offers no sandbox, so none is
 * pretended. Arguments arrive as String, BigDecimal (quantities in their base unit: bytes,
 * millicores, ms, bytes/s), Boolean, List, Map or null.
 */
public final class GroovyFunctions {
    private static final Set<String> SCRIPT_METHODS = Set.of("run", "main");

    private GroovyFunctions() {
    }

    /** The Groovy scripts of a fleet's {@code functions/} folder, as {@code functions/x.groovy}; read, never compiled. */
    public static List<String> scripts(Path dir) {
        Path folder = dir.resolve("functions");
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.filter(p -> p.toString().endsWith(".groovy")).map(p -> "functions/" + p.getFileName())
                    .sorted().toList();
        } catch (IOException e) {
            return List.of("functions/");
        }
    }

    public static List<FleetFunction> load(Path dir, FunctionRegistry builtins, Diagnostics diagnostics) {
        Path folder = dir.resolve("functions");
        if (!Files.isDirectory(folder)) {
            return new ArrayList<>();
        }
        return Compiler.load(dir, folder, builtins, diagnostics);
    }

    private static final java.util.regex.Pattern DEFINITION = java.util.regex.Pattern.compile(
            "(?m)^\\s*(?:(?:public|static|final|def|[A-Z][\\w<>\\[\\], ]*|int|long|boolean|double|void)\\s+)+"
                    + "([a-z_][A-Za-z0-9_]*)\\s*\\(");

    /**
     * The functions a script that does not compile seems to define: calls to them evaluate to an
     * error without a second message, so the compile error is the one the user reads.
     */
    private static void broken(String text, String file, FunctionRegistry builtins, Map<String, String> origin,
                               List<FleetFunction> functions) {
        java.util.regex.Matcher m = DEFINITION.matcher(text);
        while (m.find()) {
            String name = m.group(1);
            if (!builtins.contains(name) && origin.putIfAbsent(name, file) == null) {
                functions.add(new BrokenFunction(name, file));
            }
        }
    }

    /** A function of a script that did not compile (already reported). */
    private record BrokenFunction(String name, String file) implements FleetFunction {
        @Override
        public String signature() {
            return name + "(...)  # " + file + " (does not compile)";
        }

        @Override
        public Value call(List<Value> args, CallContext context) {
            return io.fleetform.engine.value.ErrorValue.INSTANCE;
        }

        @Override
        public boolean acceptsUnknown() {
            return true;
        }
    }

    private static String scriptClassName(Path script) {
        String base = script.getFileName().toString().replace(".groovy", "").replaceAll("[^A-Za-z0-9_]", "_");
        return Character.isJavaIdentifierStart(base.charAt(0)) ? base : "_" + base;
    }

    private static String displayPath(Path dir, Path script) {
        return io.fleetform.engine.eval.ModuleResolver.displayPath(script);
    }

    /**
     * The part that touches Groovy, in a class of its own: the JVM loads the Groovy types a
     * class mentions (its catch clauses) when it links the class, and a fleet without
     * {@code functions/} should not pay for Groovy at all.
     */
    private static final class Compiler {
        private static List<FleetFunction> load(Path dir, Path folder, FunctionRegistry builtins,
                                                Diagnostics diagnostics) {
            List<FleetFunction> functions = new ArrayList<>();
            List<Path> scripts;
            try (Stream<Path> entries = Files.list(folder)) {
                scripts = entries.filter(p -> p.toString().endsWith(".groovy")).sorted().toList();
            } catch (IOException e) {
                diagnostics.error("groovy", SourceSpan.NONE, "cannot read " + folder + ": " + e.getMessage());
                return functions;
            }
            Map<String, String> origin = new LinkedHashMap<>();
            GroovyClassLoader loader = new GroovyClassLoader(GroovyFunctions.class.getClassLoader(),
                    UserCode.compilerConfiguration());
            UserCode.Budget budget = UserCode.Budget.fromEnvironment();
            for (Path script : scripts) {
                io.fleetform.dsl.source.SourceReader.Result read = io.fleetform.dsl.source.SourceReader.read(script,
                        displayPath(dir, script), io.fleetform.dsl.source.SourceReader.MAX_SOURCE_BYTES);
                read.error().ifPresent(diagnostics::add);
                if (read.file().isEmpty()) {
                    continue;
                }
                SourceFile source = read.file().get();
                String text = source.text();
                Class<?> type;
                try {
                    type = loader.parseClass(new GroovyCodeSource(text, scriptClassName(script), "/groovy/script"));
                } catch (MultipleCompilationErrorsException e) {
                    report(e, source, diagnostics);
                    broken(text, source.path(), builtins, origin, functions);
                    continue;
                } catch (CompilationFailedException e) {
                    diagnostics.error("groovy-compile", new SourceSpan(source, 0, 0),
                            "cannot compile: " + e.getMessage());
                    broken(text, source.path(), builtins, origin, functions);
                    continue;
                }
                Object instance;
                try {
                    instance = type.getDeclaredConstructor().newInstance();
                } catch (ReflectiveOperationException | RuntimeException e) {
                    diagnostics.error("groovy-compile", new SourceSpan(source, 0, 0), "cannot load: " + e);
                    continue;
                }
                if (instance instanceof Script scriptObject) {
                    // A script's print and println write to its binding's "out": standard error, so a function's
                    // debugging lines never land in the command's output (plan --json is one JSON document).
                    // Per script, not a swap of System.out around each call: calls run on several threads at once.
                    scriptObject.getBinding().setProperty("out", new java.io.PrintWriter(System.err, true));
                }
                for (Method method : type.getDeclaredMethods()) {
                    if (!Modifier.isPublic(method.getModifiers()) || method.isSynthetic()
                            || method.getName().contains("$") || SCRIPT_METHODS.contains(method.getName())) {
                        continue;
                    }
                    String name = method.getName();
                    SourceSpan where = new SourceSpan(source, Math.max(0, text.indexOf(name)), name.length());
                    if (builtins.contains(name) || name.equals("can") || name.equals("try")) {
                        diagnostics.error("function-shadows-builtin", where, "function " + name + "() in "
                                + source.path() + " has the name of a built-in function",
                                "rename it; built-ins cannot be replaced");
                        continue;
                    }
                    String first = origin.putIfAbsent(name, source.path());
                    if (first != null) {
                        diagnostics.error("duplicate", where, "function " + name + "() is defined twice",
                                "first defined in " + first);
                        continue;
                    }
                    functions.add(new GroovyFunction(name, method, instance, source.path(), budget));
                }
            }
            return functions;
        }

        private static void report(MultipleCompilationErrorsException e, SourceFile source, Diagnostics diagnostics) {
            for (Object message : e.getErrorCollector().getErrors()) {
                if (message instanceof SyntaxErrorMessage syntax) {
                    SyntaxException cause = syntax.getCause();
                    int line = Math.max(1, Math.min(cause.getLine(), source.lineCount()));
                    int offset = offsetOf(source, line, Math.max(1, cause.getStartColumn()));
                    String text = cause.getOriginalMessage();
                    diagnostics.error("groovy-compile", new SourceSpan(source, offset, 1), "Groovy: " + text);
                } else {
                    diagnostics.error("groovy-compile", new SourceSpan(source, 0, 0), "Groovy: " + message);
                }
            }
        }

        private static int offsetOf(SourceFile source, int line, int column) {
            int offset = 0;
            for (int i = 1; i < line; i++) {
                offset += source.lineText(i).length() + 1;
            }
            return Math.min(source.text().length(), offset + column - 1);
        }
    }

    /** One Groovy method seen as a fleet function. */
    private record GroovyFunction(String name, Method method, Object instance, String file, UserCode.Budget budget)
            implements FleetFunction {

        @Override
        public String signature() {
            return name + "(" + method.getParameterCount() + " arguments)  # " + file;
        }

        /**
         * A secret inside a list or map argument reaches the function as its value (not as null): the evaluator
         * unwraps the secrets in every argument of a function that does not say {@link #movesValues()}, makes the
         * result sensitive, and reports a failure without its reason, as for a secret passed directly.
         */
        @Override
        public Value call(List<Value> args, CallContext context) throws FunctionError {
            return callPlain(args);
        }

        private Value callPlain(List<Value> args) throws FunctionError {
            if (!method.isVarArgs() && args.size() != method.getParameterCount()) {
                throw new FunctionError("takes " + method.getParameterCount() + " arguments, got " + args.size());
            }
            Object[] javaArgs = new Object[args.size()];
            for (int i = 0; i < args.size(); i++) {
                javaArgs[i] = toJava(args.get(i));
            }
            Object result;
            try {
                result = budget.run(() -> method.invoke(Modifier.isStatic(method.getModifiers()) ? null : instance,
                        javaArgs), file);
            } catch (UserCode.OutOfTime e) {
                throw new FunctionError("did not finish within " + e.budget() + " (" + file + ")", -1,
                        "a user function gets " + budget.perCall().toSeconds() + " s per call and "
                                + budget.total().toSeconds() + " s per run; set FLEETFORM_FUNCTION_TIMEOUT (seconds)"
                                + " to change the first");
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                if (cause instanceof StackOverflowError) {
                    throw new FunctionError("recursed too deeply (stack overflow)" + where(cause));
                }
                if (cause instanceof InterruptedException) {
                    throw new FunctionError("was interrupted" + where(cause));
                }
                throw new FunctionError(cause.getClass().getSimpleName() + ": " + cause.getMessage() + where(cause));
            } catch (IllegalAccessException | IllegalArgumentException e) {
                throw new FunctionError("cannot be called with these arguments: " + e.getMessage());
            } catch (Exception e) {
                throw new FunctionError(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            return toValue(result, java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()), 0);
        }

        private String where(Throwable cause) {
            for (StackTraceElement element : cause.getStackTrace()) {
                if ("/groovy/script".equals(element.getFileName()) || (element.getFileName() != null
                        && element.getFileName().endsWith(".groovy"))) {
                    return " (" + file + ":" + element.getLineNumber() + ")";
                }
            }
            return " (" + file + ")";
        }

        private static Object toJava(Value value) {
            if (value instanceof SensitiveValue s) {
                return toJava(s.inner());
            }
            if (value instanceof StringValue s) {
                return s.value();
            }
            if (value instanceof NumberValue n) {
                return n.value();
            }
            if (value instanceof BoolValue b) {
                return b.value();
            }
            if (value instanceof QuantityValue q) {
                return q.amount();
            }
            if (value instanceof SymbolValue s) {
                return s.name();
            }
            if (value instanceof RefValue r) {
                return r.entity().name();
            }
            if (value instanceof ListValue l) {
                List<Object> list = new ArrayList<>();
                l.elements().forEach(e -> list.add(toJava(e)));
                return list;
            }
            if (value instanceof MapValue m) {
                Map<String, Object> map = new LinkedHashMap<>();
                m.entries().forEach((k, v) -> map.put(k, toJava(v)));
                return map;
            }
            return null;
        }

        private static Value bounded(BigDecimal n) throws FunctionError {
            if (!io.fleetform.engine.value.NumberBounds.fits(n)) {
                throw new FunctionError("returned a number too large or too precise", -1,
                        io.fleetform.engine.value.NumberBounds.describe());
            }
            return new NumberValue(n);
        }

        /** Nested results deeper than this are refused (a fleet value is never this deep). */
        private static final int MAX_DEPTH = 64;

        /**
         * The fleet value of a function's result. A list that contains itself (or any result
         * deeper than {@link #MAX_DEPTH}) is refused, and so are NaN and the infinities: fleet
         * numbers are exact decimals.
         */
        private static Value toValue(Object result, Set<Object> open, int depth) throws FunctionError {
            if (result == null) {
                return NullValue.INSTANCE;
            }
            if (depth > MAX_DEPTH) {
                throw new FunctionError("returned a value nested more than " + MAX_DEPTH + " levels deep");
            }
            if (result instanceof CharSequence s) {
                return new StringValue(s.toString());
            }
            if (result instanceof BigDecimal d) {
                return bounded(d);
            }
            if (result instanceof BigInteger i) {
                return bounded(new BigDecimal(i));
            }
            if (result instanceof Integer || result instanceof Long || result instanceof Short
                    || result instanceof Byte) {
                return NumberValue.of(((Number) result).longValue());
            }
            if (result instanceof Double || result instanceof Float) {
                double d = ((Number) result).doubleValue();
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    throw new FunctionError("returned " + d + ", which is not a number fleet files can hold", -1,
                            "fleet numbers are exact decimals; check for a division by zero");
                }
                return bounded(new BigDecimal(result.toString()));
            }
            if (result instanceof Number n) {
                try {
                    return bounded(new BigDecimal(n.toString()));
                } catch (NumberFormatException e) {
                    throw new FunctionError("returned " + n.getClass().getSimpleName() + " " + n
                            + ", which is not a number fleet files can hold");
                }
            }
            if (result instanceof Boolean b) {
                return BoolValue.of(b);
            }
            if ((result instanceof List<?> || result instanceof Map<?, ?>) && !open.add(result)) {
                throw new FunctionError("returned a " + (result instanceof List<?> ? "list" : "map")
                        + " that contains itself", -1, "fleet values are trees: copy the element instead");
            }
            if (result instanceof List<?> list) {
                List<Value> values = new ArrayList<>();
                for (Object o : list) {
                    values.add(toValue(o, open, depth + 1));
                }
                open.remove(result);
                return new ListValue(values);
            }
            if (result instanceof Map<?, ?> map) {
                Map<String, Value> values = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    Object key = e.getKey();
                    if (key != null && !(key instanceof CharSequence || key instanceof Number || key instanceof Boolean)) {
                        throw new FunctionError("returned a map with a " + key.getClass().getSimpleName()
                                + " key; keys must be strings");
                    }
                    values.put(String.valueOf(key), toValue(e.getValue(), open, depth + 1));
                }
                open.remove(result);
                return new MapValue(values);
            }
            throw new FunctionError("returned a " + result.getClass().getSimpleName()
                    + ", which fleet files cannot hold (use strings, numbers, booleans, lists and maps)");
        }
    }
}
