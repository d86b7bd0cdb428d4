package io.fleetform.provider.kubernetes;

import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.engine.model.Cluster;
import io.fleetform.engine.model.Fleet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The manifests Fleetform would apply, as YAML documents ({@code fleetform render}, like
 * {@code helm template}): every cluster block driven by this provider. Secret values are
 * never printed.
 */
public final class KubernetesRender {
    public static final String MASK = "(sensitive)";

    private KubernetesRender() {
    }

    public record Output(String yaml, List<Diagnostic> diagnostics) {
    }

    public static Output render(Fleet fleet, Map<String, String> environment, Map<String, String> imageDigests) {
        Set<String> clusters = new LinkedHashSet<>();
        for (Cluster c : fleet.clusters()) {
            if (KubernetesProvider.NAME.equals(c.provider())) {
                clusters.add(c.name());
            }
        }
        Manifests.Result result = Manifests.render(fleet, clusters, imageDigests, Settings.from(environment));
        StringBuilder out = new StringBuilder();
        for (Manifests.Rendered r : result.objects()) {
            Map<String, Object> manifest = new LinkedHashMap<>(r.manifest());
            if (r.kind() == Kind.SECRET && manifest.get("data") instanceof Map<?, ?> data) {
                Map<String, Object> masked = new TreeMap<>();
                data.keySet().forEach(k -> masked.put(String.valueOf(k), MASK));
                manifest.put("data", masked);
            }
            out.append("---\n# ").append(r.address()).append(" (context \"").append(r.cluster().context())
                    .append("\")\n").append(Json.yaml(manifest));
        }
        return new Output(out.toString(), result.diagnostics());
    }
}
