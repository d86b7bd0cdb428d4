package io.fleetform.engine.eval;

import io.fleetform.engine.text.Suggest;
import io.fleetform.dsl.ast.FleetFile;
import io.fleetform.dsl.diag.Diagnostics;
import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.eval.function.FunctionRegistry;
import io.fleetform.engine.model.Fleet;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** Parsed files in, typed model out: structure check, then evaluation, then the model. */
public final class FleetEvaluator {
    private final FunctionRegistry functions;
    private final ModuleResolver modules;

    public FleetEvaluator(FunctionRegistry functions, ModuleResolver modules) {
        this.functions = functions;
        this.modules = modules;
    }

    private Set<Path> filesRead = Set.of();
    private Set<String> secretValues = Set.of();

    /** The secret texts the last evaluation saw, which no message may print. */
    public Set<String> secretValues() {
        return secretValues;
    }

    /** Files the last evaluation read through {@code file()}. */
    public Set<Path> filesRead() {
        return filesRead;
    }

    /**
     * Threads that build the zones of a large fleet: {@code FLEETFORM_EVAL_THREADS} (1 turns it off),
     * else the processors, at most {@link #MAX_THREADS}. A fleet with its own (Groovy) functions is
     * always evaluated on one thread: user code need not be safe to call from two.
     */
    public static final String THREADS_VARIABLE = "FLEETFORM_EVAL_THREADS";
    static final int MAX_THREADS = 8;

    private boolean userFunctions;

    /** The fleet calls functions of its own: evaluate it on one thread. */
    public FleetEvaluator withUserFunctions(boolean present) {
        this.userFunctions = present;
        return this;
    }

    /** The fleet, complete only if {@code diagnostics} gained no error. */
    public Fleet evaluate(Path dir, List<FleetFile> files, EvalOptions options, Diagnostics diagnostics) {
        int threads = userFunctions ? 1 : threads(options);
        if (threads > 1) {
            // A trial on a copy of the diagnostics: kept if it built no zones in parallel (it then was a
            // sequential run) or found nothing to report; otherwise the sequential run below reports,
            // so diagnostics are always those of one thread, in its order.
            Diagnostics trial = diagnostics.copy();
            try {
                Run run = run(dir, files, options, trial, threads, diagnostics.size());
                if (!run.parallel() || trial.size() == diagnostics.size()) {
                    diagnostics.setAll(trial);
                    return keep(run);
                }
            } catch (EvalContext.NotParallel abandoned) {
                // state the zone-building threads could not share: evaluated again on one thread
            }
        }
        return keep(run(dir, files, options, diagnostics, 1, diagnostics.size()));
    }

    /** One evaluation's results. */
    private record Run(Fleet fleet, boolean parallel, Set<Path> filesRead, Set<String> secretValues) {
    }

    private boolean inParallel;

    /** Whether the last evaluation's result came from zones built in parallel (for tests). */
    boolean evaluatedInParallel() {
        return inParallel;
    }

    private Fleet keep(Run run) {
        inParallel = run.parallel();
        filesRead = run.filesRead();
        secretValues = run.secretValues();
        return run.fleet();
    }

    private Run run(Path dir, List<FleetFile> files, EvalOptions options, Diagnostics diagnostics, int threads,
                    int quiet) {
        SchemaChecker checker = new SchemaChecker(diagnostics);
        files.forEach(f -> checker.check(f, false));
        EvalContext context = new EvalContext(diagnostics, options, modules);
        VariableInputs inputs = VariableInputs.forRoot(options, diagnostics);
        ModuleInstance root = new ModuleInstance(null, "", dir, files, context, functions, inputs);
        for (String name : options.vars().keySet()) {
            if (!root.variableBlocks().containsKey(name)) {
                diagnostics.error("unknown-variable", SourceSpan.NONE, "-var " + name + ": the fleet has no variable \""
                        + name + "\"", Suggest.didYouMean(name, root.variableBlocks().keySet()));
            }
        }
        SourceSpan first = files.isEmpty() ? SourceSpan.NONE : new SourceSpan(files.get(0).source(), 0, 0);
        ModelBuilder builder = new ModelBuilder(context, threads, quiet);
        Fleet fleet = builder.build(root, first);
        diagnostics.replaceAll(context::relocate);
        return new Run(fleet, builder.builtInParallel(), context.filesRead(), context.secretValues());
    }

    static int threads(EvalOptions options) {
        String set = options.environment().get(THREADS_VARIABLE);
        if (set != null && set.strip().matches("[0-9]{1,3}")) {
            return Math.max(1, Integer.parseInt(set.strip()));
        }
        return Math.min(MAX_THREADS, Runtime.getRuntime().availableProcessors());
    }
}
