package io.fleetform.engine.load;

import io.fleetform.dsl.ast.FleetFile;
import io.fleetform.dsl.diag.Diagnostics;
import io.fleetform.dsl.parse.FleetParser;
import io.fleetform.dsl.parse.ParseResult;
import io.fleetform.dsl.source.SourceFile;
import io.fleetform.dsl.source.SourceSpan;
import io.fleetform.engine.eval.EvalOptions;
import io.fleetform.engine.eval.FleetEvaluator;
import io.fleetform.engine.eval.ModuleResolver;
import io.fleetform.engine.eval.function.FleetFunction;
import io.fleetform.engine.eval.function.FunctionRegistry;
import io.fleetform.engine.eval.GroovyFunctions;
import io.fleetform.engine.model.Fleet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a fleet folder and runs the phases in order: parse every {@code *.fleet} file, stop
 * if any has a syntax error; check structure; load the fleet's Groovy functions; evaluate
 * into the model. Every phase adds to the same diagnostics, so one run reports everything.
 */
public final class FleetLoader {
    private final FleetParser parser = new FleetParser();
    private final FunctionRegistry builtins;

    public FleetLoader(FunctionRegistry builtins) {
        this.builtins = builtins;
    }

    public static FleetLoader fromClassPath() {
        return new FleetLoader(FunctionRegistry.fromClassPath());
    }

    public LoadResult load(Path dir, EvalOptions options) {
        Diagnostics diagnostics = new Diagnostics();
        if (!Files.isDirectory(dir)) {
            diagnostics.error("no-folder", SourceSpan.NONE, "no such folder: " + dir, "");
            return new LoadResult(Optional.empty(), diagnostics.sorted(), List.of());
        }
        List<Path> paths;
        try {
            paths = ModuleResolver.fleetFiles(dir);
        } catch (IOException e) {
            diagnostics.error("no-folder", SourceSpan.NONE, "cannot read " + dir + ": " + e.getMessage(), "");
            return new LoadResult(Optional.empty(), diagnostics.sorted(), List.of());
        }
        if (paths.isEmpty()) {
            diagnostics.error("no-files", SourceSpan.NONE, "no .fleet files in " + dir, "");
            return new LoadResult(Optional.empty(), diagnostics.sorted(), List.of());
        }
        List<FleetFile> files = new ArrayList<>();
        for (Path path : paths) {
            String text;
            try {
                text = Files.readString(path);
            } catch (IOException e) {
                diagnostics.error("unreadable", SourceSpan.NONE, "cannot read " + path + ": " + e.getMessage(), "");
                continue;
            }
            ParseResult result = parser.parse(new SourceFile(ModuleResolver.displayPath(path), text));
            diagnostics.addAll(result.diagnostics());
            result.file().ifPresent(files::add);
        }
        if (diagnostics.hasErrors()) {
            return new LoadResult(Optional.empty(), diagnostics.sorted(), files);
        }
        List<FleetFunction> own = GroovyFunctions.load(dir, builtins, diagnostics);
        FunctionRegistry functions = builtins.plus(own);
        FleetEvaluator evaluator = new FleetEvaluator(functions, ModuleResolver.fromClassPath());
        Fleet fleet = evaluator.evaluate(dir, files, options, diagnostics);
        boolean failed = diagnostics.hasErrors();
        return new LoadResult(failed ? Optional.empty() : Optional.of(fleet), diagnostics.sorted(), files,
                evaluator.filesRead());
    }
}
