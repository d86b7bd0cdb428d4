package io.fleetform.engine.load;

import io.fleetform.dsl.ast.FleetFile;
import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.engine.model.Fleet;
import java.util.List;
import java.util.Optional;

/**
 * A loaded fleet, or why there is none: the model is present exactly when there is no error.
 *
 * @param secretValues every secret text the evaluation read (secrets, env values, sensitive variables), wherever
 *                     it was used: what no message may show
 */
public record LoadResult(Optional<Fleet> fleet, List<Diagnostic> diagnostics, List<FleetFile> files,
                         java.util.Set<java.nio.file.Path> filesRead, java.util.Set<String> secretValues) {

    public LoadResult {
        diagnostics = List.copyOf(diagnostics);
        files = List.copyOf(files);
        filesRead = java.util.Set.copyOf(filesRead);
        secretValues = java.util.Set.copyOf(secretValues);
    }

    public LoadResult(Optional<Fleet> fleet, List<Diagnostic> diagnostics, List<FleetFile> files,
                      java.util.Set<java.nio.file.Path> filesRead) {
        this(fleet, diagnostics, files, filesRead, java.util.Set.of());
    }

    public LoadResult(Optional<Fleet> fleet, List<Diagnostic> diagnostics, List<FleetFile> files) {
        this(fleet, diagnostics, files, java.util.Set.of());
    }

    @Override
    public String toString() {
        // a record's own toString would print the secrets
        return "LoadResult[fleet=" + fleet.map(Fleet::name).orElse("(none)") + ", diagnostics=" + diagnostics.size()
                + ", files=" + files.size() + ", secrets=" + secretValues.size() + "]";
    }

    public boolean hasErrors() {
        return diagnostics.stream().anyMatch(Diagnostic::isError);
    }

    public Fleet fleetOrThrow() {
        return fleet.orElseThrow(() -> new IllegalStateException("fleet has errors: " + diagnostics));
    }
}
