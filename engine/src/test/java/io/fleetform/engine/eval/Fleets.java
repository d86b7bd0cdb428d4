package io.fleetform.engine.eval;

import io.fleetform.dsl.ast.FleetFile;
import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.dsl.diag.Diagnostics;
import io.fleetform.dsl.parse.FleetParser;
import io.fleetform.dsl.parse.ParseResult;
import io.fleetform.engine.eval.function.FunctionRegistry;
import io.fleetform.engine.model.Fleet;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Evaluates fleet text in memory for tests, without the standard library. */
final class Fleets {
    static final String BASE = """
            fleet "g" { owner = "ops" }
            image "app" { name = "g/app"  tag = "1" }
            hosts "pool" { local = true }
            idc "dc1" { region = "r1"  target = hosts.pool  ip_pool = "10.0.0.0/24" }
            """;

    record Evaluated(Fleet fleet, List<Diagnostic> diagnostics) {
        List<Diagnostic> errors() {
            return diagnostics.stream().filter(Diagnostic::isError).toList();
        }
    }

    private Fleets() {
    }

    static Evaluated evaluate(String text) {
        return evaluate(text, EvalOptions.defaults().withEnvironment(Map.of()));
    }

    static Evaluated evaluate(String text, EvalOptions options) {
        ParseResult parsed = new FleetParser().parse("test.fleet", text);
        if (parsed.hasErrors()) {
            throw new AssertionError("syntax errors: " + parsed.diagnostics());
        }
        List<FleetFile> files = List.of(parsed.fileOrThrow());
        Diagnostics diagnostics = new Diagnostics();
        Fleet fleet = new FleetEvaluator(FunctionRegistry.of(List.of()), new ModuleResolver(List.of()))
                .evaluate(Path.of("."), files, options, diagnostics);
        return new Evaluated(fleet, diagnostics.sorted());
    }

    /** A fleet with one zone whose only service has the given body. */
    static Evaluated service(String body) {
        return evaluate(BASE + "zone \"z1\" {\n  idc = idc.dc1\n  service \"s\" {\n" + body + "\n  }\n}\n");
    }
}
