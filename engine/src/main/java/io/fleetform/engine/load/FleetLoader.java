package io.fleetform.engine.load;

import io.fleetform.dsl.ast.FleetFile;
import io.fleetform.dsl.diag.Diagnostics;
import io.fleetform.dsl.diag.SecretsInDiagnostics;
import io.fleetform.dsl.parse.FleetParser;
import io.fleetform.dsl.parse.ParseResult;
import io.fleetform.dsl.source.SourceReader;
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
    /** All {@code .fleet} files of one folder together; each is also at most {@link SourceReader#MAX_SOURCE_BYTES}. */
    static final long MAX_FLEET_CHARS = 32L << 20;

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
        long total = 0;
        for (Path path : paths) {
            SourceReader.Result read = SourceReader.read(path, ModuleResolver.displayPath(path),
                    SourceReader.MAX_SOURCE_BYTES);
            read.error().ifPresent(diagnostics::add);
            if (read.file().isEmpty()) {
                continue;
            }
            total += read.file().get().text().length();
            if (total > MAX_FLEET_CHARS) {
                diagnostics.error("too-large", new io.fleetform.dsl.source.SourceSpan(read.file().get(), 0, 0),
                        "the fleet's .fleet files hold more than " + (MAX_FLEET_CHARS >> 20) + " MiB; this one is"
                                + " not read", "split the fleet, or use ranges and for_each");
                break;
            }
            ParseResult result = parser.parse(read.file().get());
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
        List<io.fleetform.dsl.diag.Diagnostic> redacted = SecretsInDiagnostics.redact(diagnostics.sorted(),
                evaluator.secretValues());
        return new LoadResult(failed ? Optional.empty() : Optional.of(fleet), redacted, files, evaluator.filesRead());
    }
}
