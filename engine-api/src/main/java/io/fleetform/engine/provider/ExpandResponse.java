package io.fleetform.engine.provider;

import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.engine.resource.Resource;
import java.util.List;

public record ExpandResponse(List<Resource> resources, List<Diagnostic> diagnostics) {
    public ExpandResponse {
        resources = List.copyOf(resources);
        diagnostics = List.copyOf(diagnostics);
    }
}
