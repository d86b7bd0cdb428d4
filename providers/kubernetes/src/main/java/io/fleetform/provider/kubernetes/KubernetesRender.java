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
 * printed only when asked ({@code --show-secrets}).
 */
public final class KubernetesRender {
    private KubernetesRender() {
    }

    public record Output(String yaml, List<Diagnostic> diagnostics) {
    }

    public static Output render(Fleet fleet, Map<String, String> environment, Map<String, String> imageDigests) {
        return render(fleet, environment, imageDigests, false);
    }

    /**
     * @param showSecrets print Secrets' data as Kubernetes takes it (base64); otherwise a Secret
     *                    is printed without {@code data}, a comment naming its keys instead, so
     *                    the output stays valid and applicable
     */
    public static Output render(Fleet fleet, Map<String, String> environment, Map<String, String> imageDigests,
                                boolean showSecrets) {
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
            String note = "";
            if (r.kind() == Kind.SECRET && !showSecrets && manifest.get("data") instanceof Map<?, ?> data) {
                manifest.remove("data");
                note = "# data omitted: " + String.join(", ", new TreeMap<>(data).keySet().stream().map(String::valueOf)
                        .toList()) + " (sensitive; fleetform render --show-secrets prints them)\n";
            }
            out.append("---\n# ").append(r.address()).append(" (context \"").append(r.cluster().context())
                    .append("\")\n").append(note).append(Json.yaml(manifest));
        }
        return new Output(out.toString(), result.diagnostics());
    }
}
