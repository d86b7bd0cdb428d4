package io.fleetform.engine.load;

import io.fleetform.dsl.ast.FleetFile;
import io.fleetform.dsl.diag.Diagnostic;
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
 *
 * <p>The folder may be on any file system: the working directory, or a Git commit's tree opened
 * as a read-only file system, in which {@code file()} and modules then resolve.
 *
 * <p>Without user code ({@link #withoutUserCode()}, for changes nobody trusted yet) the Groovy
 * scripts in {@code functions/} are neither compiled nor run (compiling Groovy can already run
 * code, through AST transformations), and every call of a function that is not built in is an
 * error saying why.
 */
public final class FleetLoader {
    /** All {@code .fleet} files of one folder together; each is also at most {@link SourceReader#MAX_SOURCE_BYTES}. */
    static final long MAX_FLEET_CHARS = 32L << 20;

    private final FleetParser parser = new FleetParser();
    private final FunctionRegistry builtins;
    private final boolean userCode;

    public FleetLoader(FunctionRegistry builtins) {
        this(builtins, true);
    }

    private FleetLoader(FunctionRegistry builtins, boolean userCode) {
        this.builtins = builtins;
        this.userCode = userCode;
    }

    /** This loader, refusing to load the fleet's own Groovy functions. */
    public FleetLoader withoutUserCode() {
        return new FleetLoader(builtins, false);
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
        List<FleetFunction> own = userCode ? GroovyFunctions.load(dir, builtins, diagnostics) : List.of();
        FunctionRegistry functions = builtins.plus(own);
        FleetEvaluator evaluator = new FleetEvaluator(functions, ModuleResolver.fromClassPath())
                .withUserFunctions(!own.isEmpty());
        Fleet fleet = evaluator.evaluate(dir, files, options, diagnostics);
        List<Diagnostic> all = userCode ? diagnostics.sorted() : refusedUserCode(dir, files, diagnostics.sorted());
        boolean failed = all.stream().anyMatch(Diagnostic::isError);
        List<Diagnostic> redacted = SecretsInDiagnostics.redact(all, evaluator.secretValues());
        return new LoadResult(failed ? Optional.empty() : Optional.of(fleet), redacted, files, evaluator.filesRead(),
                evaluator.secretValues());
    }

    /**
     * Unknown functions are the fleet's own ones when it has Groovy scripts: each call in the
     * fleet's files is named (found in the syntax tree, so none hides behind another's error),
     * and calls evaluation found elsewhere (in modules) are said the same way.
     */
    private List<Diagnostic> refusedUserCode(Path dir, List<FleetFile> files, List<Diagnostic> diagnostics) {
        List<String> scripts = GroovyFunctions.scripts(dir);
        if (scripts.isEmpty()) {
            return diagnostics;
        }
        List<Diagnostic> out = new ArrayList<>();
        // Spans are equal to each other by design (they never take part in equality): key by place.
        java.util.Set<String> named = new java.util.HashSet<>();
        for (io.fleetform.dsl.ast.Call call : CallSites.in(files)) {
            if (!builtins.contains(call.function().name()) && named.add(place(call.function().span()))) {
                out.add(refused(call.function().name() + "()", call.function().span(), scripts));
            }
        }
        for (Diagnostic d : diagnostics) {
            if (!d.code().equals("unknown-function")) {
                out.add(d);
            } else if (!named.contains(place(d.span()))) {
                out.add(refused(d.message().replaceFirst("^unknown function ", ""), d.span(), scripts));
            }
        }
        return out.stream().sorted(Diagnostic.ORDER).toList();
    }

    private static String place(SourceSpan span) {
        return span.file().path() + "@" + span.offset();
    }

    private static Diagnostic refused(String function, SourceSpan where, List<String> scripts) {
        return Diagnostic.error("user-code-refused", where, function + " is not a built-in function, and the fleet's "
                + "own functions (" + String.join(", ", scripts) + ") are not loaded under --no-user-code",
                "review the change to functions/ and plan without --no-user-code, or call only built-in functions "
                + "(fleetform functions lists them)");
    }
}
