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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
    /**
     * The attributes one thread is computing right now, innermost last: a key compared cheaply, and its
     * name, built only for a cycle message. Cycles are found along one thread's chain, by a look through
     * it (at most {@link #MAX_REFERENCE_DEPTH} deep, a few entries as a rule): a frame object and a set
     * entry per computed value were a tenth of a large fleet's garbage.
     */
    private static final class Chain {
        final Object[] keys = new Object[MAX_REFERENCE_DEPTH];
        @SuppressWarnings("unchecked")
        final java.util.function.Supplier<String>[] names = new java.util.function.Supplier[MAX_REFERENCE_DEPTH];
        int depth;
        String currentAttribute;
        /** The zone this thread builds while zones are built in parallel (see {@link #confined}). */
        ZoneEntity zone;
    }

    /** The chain of a sequential run, and the chains of the threads while zones are built in parallel. */
    private final Chain sequential = new Chain();
    private final ThreadLocal<Chain> chains = ThreadLocal.withInitial(Chain::new);
    /** Set (and cleared) by the thread that starts and joins the zone builders, so no volatile is needed. */
    private boolean parallel;
    /** One "too deep" message per run: the overflow unwinds through many attributes at once. */
    private volatile boolean deepReported;
    private final Set<Path> filesRead = java.util.Collections.synchronizedSet(new java.util.TreeSet<>());

    public EvalContext(Diagnostics diagnostics, EvalOptions options, ModuleResolver modules) {
        this.diagnostics = diagnostics;
        this.options = options;
        this.modules = modules;
    }

    private Chain chain() {
        return parallel ? chains.get() : sequential;
    }

    /** Zones are about to be built on several threads (true) or are all built (false). */
    void parallel(boolean on) {
        parallel = on;
        if (!on) {
            chains.remove(); // the calling thread's chain, so a long-running process keeps none
        }
    }

    boolean isParallel() {
        return parallel;
    }

    /** The zone the calling thread builds now, while zones are built in parallel. */
    void building(ZoneEntity zone) {
        chain().zone = zone;
    }

    /**
     * While zones are built in parallel each thread may read only its own zone and services and what
     * every zone shares (declared blocks, variables, locals); another zone, a module's outputs or a
     * template not resolved yet would be state two threads change at once. Reaching one abandons
     * the parallel attempt (see {@link NotParallel}) and the fleet is evaluated again, sequentially.
     */
    void confined(io.fleetform.engine.value.Entity entity) {
        if (!parallel) {
            return;
        }
        ZoneEntity zone = chain().zone;
        boolean own = entity instanceof ZoneEntity z ? z == zone
                : entity instanceof ServiceEntity s ? s.zone() == zone
                : entity instanceof DeclaredEntity d && d.resolved();
        if (!own) {
            throw new NotParallel();
        }
    }

    /** Thrown on a zone-building thread that reached state it cannot share: the attempt is abandoned. */
    static final class NotParallel extends RuntimeException {
        NotParallel() {
            super("not evaluable in parallel", null, false, false);
        }
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

    /** Every secret value seen in this run (secrets, env values, sensitive variables), to redact from messages. */
    private final Set<String> secretValues = java.util.Collections.synchronizedSet(new HashSet<>());

    /** The secret texts of this run, for {@link io.fleetform.dsl.diag.SecretsInDiagnostics}. */
    public Set<String> secretValues() {
        synchronized (secretValues) {
            return Set.copyOf(secretValues);
        }
    }

    /** Remembers the texts inside a secret value so that no message can print them. */
    void registerSecret(Value value) {
        Value plain = value.unwrap();
        if (plain instanceof io.fleetform.engine.value.StringValue s) {
            secretValues.add(s.value());
        } else if (plain instanceof io.fleetform.engine.value.ListValue l) {
            l.elements().forEach(this::registerSecret);
        } else if (plain instanceof io.fleetform.engine.value.MapValue m) {
            m.entries().values().forEach(this::registerSecret);
        } else if (plain instanceof io.fleetform.engine.value.NumberValue
                || plain instanceof io.fleetform.engine.value.QuantityValue) {
            secretValues.add(plain.display());
        }
    }

    /** The files of library modules (stdlib/mmo), each with the user's module block that loaded it. */
    private final Map<io.fleetform.dsl.source.SourceFile, io.fleetform.dsl.ast.Block> libraryCalls =
            java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());

    void libraryFile(io.fleetform.dsl.source.SourceFile file, io.fleetform.dsl.ast.Block call) {
        libraryCalls.put(file, call);
    }

    /**
     * A mistake found inside a library module is the caller's: the user does not have the
     * library's files. It is moved to the user's {@code module} block, to the argument the
     * library line uses when there is one ({@code var.logic_cores} → {@code logic_cores = ...}),
     * and says where in the library it surfaced.
     */
    Diagnostic relocate(Diagnostic d) {
        Diagnostic current = d;
        for (int hops = 0; hops < 32; hops++) {
            io.fleetform.dsl.ast.Block call = libraryCalls.get(current.span().file());
            if (call == null) {
                return current;
            }
            SourceSpan inside = current.span();
            SourceSpan at = call.headerSpan();
            java.util.regex.Matcher uses = java.util.regex.Pattern.compile("var\\.([A-Za-z_][A-Za-z0-9_-]*)")
                    .matcher(inside.text());
            boolean found = false;
            while (!found && uses.find()) {
                for (io.fleetform.dsl.ast.BodyItem item : call.items()) {
                    if (item instanceof io.fleetform.dsl.ast.Attribute a && a.name().name().equals(uses.group(1))) {
                        at = a.value().span();
                        found = true;
                        break;
                    }
                }
            }
            String where = "in " + call.label().map(l -> "module \"" + l.value() + "\"").orElse("the module")
                    + " (" + inside.location() + ")";
            current = new Diagnostic(current.severity(), current.code(), current.message(), at,
                    current.hint().isEmpty() ? where : current.hint() + "; " + where);
        }
        return current;
    }

    /** Elements visited by {@code for} expressions in one run: nested loops over big lists stop here. */
    public static final long MAX_WORK = 20_000_000;
    private final java.util.concurrent.atomic.AtomicLong work = new java.util.concurrent.atomic.AtomicLong();
    private volatile SourceSpan firstOverWork;

    /** Counts elements a {@code for} is about to visit; past {@link #MAX_WORK} the expression fails. */
    void work(int elements, SourceSpan where) {
        if (work.addAndGet(elements) > MAX_WORK) {
            // Reported once: later loops fail at the first one's place, which the sorted diagnostics drop.
            firstOverWork = firstOverWork == null ? where : firstOverWork;
            throw Operators.error("too-much-work", firstOverWork, "the fleet's 'for' expressions visit more than " + MAX_WORK
                    + " elements", "nested loops over large lists multiply: compute the list once, in a local");
        }
    }

    /** How many values may be computed one inside another (local.a needs local.b needs ...). */
    static final int MAX_REFERENCE_DEPTH = 200;

    /** Zones of one fleet, however they are written (ranges, for_each, one block each, modules). */
    public static final int MAX_ZONES = 100_000;
    /** Instances (replicas of services of zones) of one fleet. */
    public static final long MAX_INSTANCES = 1_000_000;
    private int zoneCount;
    private boolean zoneCapReported;

    /** Counts one more zone; false (reported once, at {@code where}) past {@link #MAX_ZONES}. */
    synchronized boolean admitZone(SourceSpan where) {
        if (++zoneCount <= MAX_ZONES) {
            return true;
        }
        if (!zoneCapReported) {
            zoneCapReported = true;
            diagnostics.error("too-many-zones", where, "the fleet has more than " + MAX_ZONES + " zones",
                    "split it into several fleets");
        }
        return false;
    }

    /** The attribute being computed, for messages such as "unknown unit for memory". */
    String currentAttribute() {
        return chain().currentAttribute;
    }

    /**
     * Computes an expression on behalf of {@code key} (e.g. {@code local.a}); a mistake inside
     * becomes one diagnostic and an error value, and re-entering a key being computed is a cycle.
     */
    public Value compute(String key, String attributeName, Expression expression, Scope scope) {
        return compute(key, () -> key, attributeName, expression, scope);
    }

    /**
     * As {@link #compute(String, String, Expression, Scope)}, with a key that is cheap to hash (a
     * layer and an attribute) and a name made only if a cycle has to be described: at 200,000
     * services, building and hashing a long name per attribute was most of the work.
     */
    public Value compute(Object key, java.util.function.Supplier<String> name, String attributeName,
                         Expression expression, Scope scope) {
        Chain chain = chain();
        if (chain.depth >= MAX_REFERENCE_DEPTH) {
            // A bound of our own, before the stack's: an overflow deep in the JVM can leave a class
            // half-initialised (NoClassDefFoundError for the rest of the run) instead of one message.
            if (!deepReported) {
                deepReported = true;
                diagnostics.add(Diagnostic.error("too-deep", expression.span(), "this value is built from a chain"
                        + " of more than " + MAX_REFERENCE_DEPTH + " references (" + name.get() + " is one)",
                        "compute it in fewer steps"));
            }
            return ErrorValue.INSTANCE;
        }
        int depth = chain.depth;
        for (int i = 0; i < depth; i++) {
            if (chain.keys[i].equals(key)) {
                diagnostics.add(Diagnostic.error("reference-cycle", expression.span(), "reference cycle: "
                        + cycle(chain, i, name.get()),
                        "break the cycle by computing one of these from something else"));
                return ErrorValue.INSTANCE;
            }
        }
        chain.keys[depth] = key;
        chain.names[depth] = name;
        chain.depth = depth + 1;
        String saved = chain.currentAttribute;
        chain.currentAttribute = attributeName;
        try {
            return evaluator.evaluate(expression, scope);
        } catch (EvalError e) {
            diagnostics.add(e.diagnostic());
            return ErrorValue.INSTANCE;
        } catch (StackOverflowError e) {
            if (!deepReported) {
                deepReported = true;
                diagnostics.add(Diagnostic.error("too-deep", expression.span(), "this value is nested or built from"
                        + " a chain of references too deep to follow", "compute it in fewer steps"));
            }
            return ErrorValue.INSTANCE;
        } finally {
            chain.currentAttribute = saved;
            chain.depth = depth;
            chain.keys[depth] = null;
            chain.names[depth] = null;
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

    /** The names from the frame at {@code from} (the value asked for again) to the innermost, then {@code name}. */
    private static String cycle(Chain at, int from, String name) {
        List<String> chain = new ArrayList<>();
        for (int i = from; i < at.depth; i++) {
            chain.add(at.names[i].get());
        }
        chain.add(name);
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
                Optional<String> value = Optional.ofNullable(options.environment().get(name));
                value.ifPresent(secretValues::add);
                return value;
            }

            @Override
            public Optional<String> secret(String name) {
                Optional<String> value = readSecret(name);
                value.ifPresent(secretValues::add);
                return value;
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
                return io.fleetform.dsl.source.SourceReader.read(file, name, 1L << 20).file()
                        .map(f -> f.text().strip());
            }
        }
        return Optional.empty();
    }
}
