package io.fleetform.dsl.parse;

import io.fleetform.dsl.ast.FleetFile;
import io.fleetform.dsl.diag.Diagnostic;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of parsing one file: the tree when the file is well-formed, and every syntax
 * error found. A file with syntax errors yields no tree: a tree patched up by error recovery
 * would make later phases report mistakes the user did not make.
 */
public record ParseResult(Optional<FleetFile> file, List<Diagnostic> diagnostics) {

    public ParseResult {
        diagnostics = List.copyOf(diagnostics);
    }

    public boolean hasErrors() {
        return diagnostics.stream().anyMatch(Diagnostic::isError);
    }

    public FleetFile fileOrThrow() {
        return file.orElseThrow(() -> new IllegalStateException("syntax errors: " + diagnostics));
    }
}
