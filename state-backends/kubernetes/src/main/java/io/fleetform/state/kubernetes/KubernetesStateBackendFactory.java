package io.fleetform.state.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fleetform.engine.state.StateBackend;
import io.fleetform.engine.state.StateBackendFactory;
import io.fleetform.engine.state.StateEncryption;
import io.fleetform.engine.state.StateException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code --backend kubernetes}: the state in Secrets of a namespace. Settings: {@code namespace}
 * (default "default"), {@code name} (the state's name in object names; default the fleet folder's
 * name), {@code kubeconfig} and {@code context} (default: the usual kubeconfig / in-cluster
 * account), {@code lease_seconds} (default 30), {@code journal_push_seconds} (default 5),
 * {@code chunk_bytes} (default 700000: compressed bytes per chunk Secret, under the 1 MiB limit).
 */
public final class KubernetesStateBackendFactory implements StateBackendFactory {
    public static final String NAME = "kubernetes";
    private static final Set<String> SETTINGS = Set.of("namespace", "name", "kubeconfig", "context", "lease_seconds",
            "journal_push_seconds", "chunk_bytes");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public StateBackend create(Path workingDir, Map<String, String> settings) throws StateException {
        return create(workingDir, settings, StateEncryption.none());
    }

    @Override
    public StateBackend create(Path workingDir, Map<String, String> settings, StateEncryption encryption)
            throws StateException {
        for (String key : settings.keySet()) {
            if (!SETTINGS.contains(key)) {
                throw new StateException("backend \"kubernetes\" has no setting \"" + key + "\"; it takes: "
                        + String.join(", ", new TreeSet<>(SETTINGS)));
            }
        }
        Path absolute = workingDir.toAbsolutePath().normalize();
        String name = settings.getOrDefault("name", absolute.getFileName() == null ? "fleet"
                : absolute.getFileName().toString()).toLowerCase(java.util.Locale.ROOT);
        if (!name.matches("[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?")) {
            throw new StateException("backend \"kubernetes\": name \"" + name + "\" must be lower-case letters, digits "
                    + "and '-' (at most 40), as it goes into Secret names");
        }
        // Secret names are fleetform-state-NAME and fleetform-state-NAME-journal: a name ending in -journal would be
        // another state's journal (state "a" and state "a-journal"). A chunk's name holds a random generation; the
        // backend uses no Secret that is not labelled as its own.
        if (name.endsWith("-journal")) {
            throw new StateException("backend \"kubernetes\": name \"" + name + "\" would share its Secrets' names with "
                    + "another state's (the journal of state \"" + name.substring(0, name.length() - "-journal".length())
                    + "\"); choose a name that does not end in -journal");
        }
        String namespace = settings.getOrDefault("namespace", "default");
        Config config;
        String context = settings.get("context");
        if (settings.containsKey("kubeconfig")) {
            Path kubeconfig = workingDir.resolve(settings.get("kubeconfig"));
            try {
                config = Config.fromKubeconfig(context, Files.readString(kubeconfig), kubeconfig.toString());
            } catch (IOException | RuntimeException e) {
                throw new StateException("backend \"kubernetes\": cannot read kubeconfig " + kubeconfig + ": "
                        + e.getMessage(), e);
            }
        } else {
            config = Config.autoConfigure(context);
        }
        KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
        return new KubernetesStateBackend(client, new KubernetesStateBackend.Settings(namespace, name,
                integer(settings, "chunk_bytes", 700_000), Duration.ofSeconds(integer(settings, "lease_seconds", 30)),
                Duration.ofMillis((long) (number(settings, "journal_push_seconds", 5) * 1000)),
                absolute.resolve(".fleetform/kubernetes-state/" + namespace + "-" + name + ".journal")), encryption);
    }

    private static int integer(Map<String, String> settings, String key, int fallback) throws StateException {
        try {
            int value = Integer.parseInt(settings.getOrDefault(key, String.valueOf(fallback)));
            if (value <= 0) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new StateException("backend \"kubernetes\": " + key + " must be a whole number above 0");
        }
    }

    private static double number(Map<String, String> settings, String key, double fallback) throws StateException {
        try {
            return Double.parseDouble(settings.getOrDefault(key, String.valueOf(fallback)));
        } catch (NumberFormatException e) {
            throw new StateException("backend \"kubernetes\": " + key + " must be a number");
        }
    }
}
