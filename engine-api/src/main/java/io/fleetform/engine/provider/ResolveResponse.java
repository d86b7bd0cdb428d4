package io.fleetform.engine.provider;

import io.fleetform.dsl.diag.Diagnostic;
import java.util.List;
import java.util.Map;

/**
 * @param imageDigests image name → {@code sha256:…}, resolved from its tag at plan time; the
 *                     providers that run images pin them by digest
 */
public record ResolveResponse(Map<String, String> imageDigests, List<Diagnostic> diagnostics) {
    public static final ResolveResponse NONE = new ResolveResponse(Map.of(), List.of());

    public ResolveResponse {
        imageDigests = Map.copyOf(imageDigests);
        diagnostics = List.copyOf(diagnostics);
    }
}
