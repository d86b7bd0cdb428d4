package io.fleetform.provider.kubernetes;

import io.fleetform.engine.eval.EvalOptions;
import io.fleetform.engine.load.FleetLoader;
import io.fleetform.engine.load.LoadResult;
import io.fleetform.engine.model.Fleet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Small fleets on the test clusters. */
final class TestFleets {
    static final String SECRET = "s3cret-db-pass";

    private TestFleets() {
    }

    /** One cluster block per test cluster, zones z1..zN on the first; {@code extra} is added to the service. */
    static String fleet(String namespace, int zones, String memory, String extra, TestClusters.Cluster... clusters) {
        StringBuilder f = new StringBuilder();
        f.append("fleet \"ft\" { owner = \"ops\" }\n");
        f.append("image \"app\" { name = \"ft/app\"  tag = \"1.0\" }\n");
        for (TestClusters.Cluster c : clusters) {
            f.append("cluster \"").append(c.name()).append("\" {\n  context = \"").append(c.context())
                    .append("\"\n  namespace = \"").append(namespace).append("\"\n  kubeconfig = \"")
                    .append(c.kubeconfig()).append("\"\n}\n");
            f.append("idc \"dc-").append(c.name()).append("\" { region = \"r1\"  target = cluster.").append(c.name())
                    .append(" }\n");
        }
        for (int i = 0; i < clusters.length; i++) {
            f.append("zones \"").append(clusters[i].name()).append("z\" from 1 to ").append(zones).append(" as z {\n")
                    .append("  idc = idc.dc-").append(clusters[i].name()).append("\n")
                    .append("  service \"game\" {\n")
                    .append("    image    = image.app\n")
                    .append("    cpu      = 2 cores pinned\n")
                    .append("    memory   = ").append(memory).append("\n")
                    .append("    replicas = 2\n")
                    .append("    ports    = { game = 7000, udp = 9000 }\n")
                    .append("    env      = { ZONE = z.name, DB_PASS = secret(\"db\") }\n")
                    .append("    config   = { \"/etc/game/game.conf\" = \"zone=${z.name}\\n\" }\n")
                    .append(extra)
                    .append("  }\n}\n");
        }
        return f.toString();
    }

    static Map<String, String> env() {
        return Map.of("FLEETFORM_SECRET_DB", SECRET, "FLEETFORM_K8S_POLL_MS", "100",
                "FLEETFORM_K8S_ROLLOUT_TIMEOUT", "20");
    }

    /** {@link #env()} with the rollout wait cut to {@code rolloutTimeoutSeconds}, for tests that let it time out. */
    static Map<String, String> env(int rolloutTimeoutSeconds) {
        Map<String, String> env = new HashMap<>(env());
        env.put("FLEETFORM_K8S_ROLLOUT_TIMEOUT", String.valueOf(rolloutTimeoutSeconds));
        return env;
    }

    static Fleet load(Path dir, String text) throws IOException {
        Files.writeString(dir.resolve("main.fleet"), text);
        LoadResult loaded = FleetLoader.fromClassPath().load(dir, EvalOptions.defaults().withEnvironment(env()));
        if (loaded.hasErrors()) {
            throw new AssertionError("test fleet does not load: " + loaded.diagnostics());
        }
        return loaded.fleetOrThrow();
    }
}
