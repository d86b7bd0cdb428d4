package io.fleetform.engine.provider;

import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.engine.resource.Resource;
import java.util.List;

/**
 * @param diagnostics every problem found; each stops every plan unless {@code changeOnly} marks it
 * @param changeOnly  which of {@code diagnostics} concern only making or changing resources (see {@link ChangeOnly})
 */
public record ExpandResponse(List<Resource> resources, List<Diagnostic> diagnostics, List<ChangeOnly> changeOnly) {
    public ExpandResponse {
        resources = List.copyOf(resources);
        diagnostics = List.copyOf(diagnostics);
        changeOnly = List.copyOf(changeOnly);
    }

    /** Every diagnostic stops every plan. */
    public ExpandResponse(List<Resource> resources, List<Diagnostic> diagnostics) {
        this(resources, diagnostics, List.of());
    }
}
