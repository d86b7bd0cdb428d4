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

    /** The fleet, complete only if {@code diagnostics} gained no error. */
    public Fleet evaluate(Path dir, List<FleetFile> files, EvalOptions options, Diagnostics diagnostics) {
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
        Fleet fleet = new ModelBuilder(context).build(root, first);
        diagnostics.replaceAll(context::relocate);
        filesRead = context.filesRead();
        secretValues = context.secretValues();
        return fleet;
    }
}
