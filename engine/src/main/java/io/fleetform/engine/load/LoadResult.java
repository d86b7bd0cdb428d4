package io.fleetform.engine.load;

import io.fleetform.dsl.ast.FleetFile;
import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.engine.model.Fleet;
import java.util.List;
import java.util.Optional;

/** A loaded fleet, or why there is none: the model is present exactly when there is no error. */
public record LoadResult(Optional<Fleet> fleet, List<Diagnostic> diagnostics, List<FleetFile> files,
                         java.util.Set<java.nio.file.Path> filesRead) {

    public LoadResult {
        diagnostics = List.copyOf(diagnostics);
        files = List.copyOf(files);
        filesRead = java.util.Set.copyOf(filesRead);
    }

    public LoadResult(Optional<Fleet> fleet, List<Diagnostic> diagnostics, List<FleetFile> files) {
        this(fleet, diagnostics, files, java.util.Set.of());
    }

    public boolean hasErrors() {
        return diagnostics.stream().anyMatch(Diagnostic::isError);
    }

    public Fleet fleetOrThrow() {
        return fleet.orElseThrow(() -> new IllegalStateException("fleet has errors: " + diagnostics));
    }
}
