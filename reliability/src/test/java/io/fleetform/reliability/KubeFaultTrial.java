package io.fleetform.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetform.engine.testing.HttpFaultProxy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The real kube-apiserver behind a TLS fault proxy ({@link HttpFaultProxy}: latency, resets,
 * 5xx before and after the change took effect, 429 with {@code Retry-After}, hanging requests,
 * answers cut short; 20 % of requests): create, resize and scale out a fleet of StatefulSets,
 * ConfigMaps and Services in a namespace that a team made and where a team's and another
 * fleet's objects already are. Those applies may fail. Then the network heals and the checks
 * run: state readable, a plain re-run converges, every object of the fleet is in the state once
 * (no orphans, no duplicates), and the team's and the other fleet's objects are as they were.
 */
final class KubeFaultTrial {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FLEET_LABEL = "fleetform.io/fleet";
    private static final String ADDRESS = "fleetform.io/address";
    /** What the fleet makes in its namespace, as API collection paths below the namespace. */
    private static final List<String> COLLECTIONS = List.of("/api/v1/namespaces/%s/configmaps",
            "/api/v1/namespaces/%s/secrets", "/api/v1/namespaces/%s/services",
            "/apis/apps/v1/namespaces/%s/statefulsets", "/apis/apps/v1/namespaces/%s/deployments");

    private KubeFaultTrial() {
    }

    static Outcome run(Path base, Random random) throws IOException, InterruptedException {
        String kind = "kube faults";
        KubeCluster cluster = KubeCluster.get();
        String suffix = Long.toHexString(random.nextLong() & 0xffffffL | 0x1000000L).substring(1);
        String name = "rel-kube-" + suffix;
        String namespace = name;
        Path dir = Files.createDirectories(base.resolve(name));
        Map<String, JsonNode> foreign = foreignObjects(cluster, namespace);
        try (HttpFaultProxy proxy = HttpFaultProxy.https(java.net.URI.create(cluster.url), cluster.pki("apiserver.crt"),
                cluster.pki("apiserver.key"), cluster.pki("ca.crt"));
             FakeKubelet kubelet = FakeKubelet.start(cluster, namespace)) {
            cluster.kubeconfigVia(proxy.uri().toString(), dir.resolve("kubeconfig"));
            Map<String, String> env = Map.of("FLEETFORM_SECRET_DB", "reliability-" + suffix,
                    "FLEETFORM_K8S_REQUEST_TIMEOUT", "2", "FLEETFORM_K8S_POLL_MS", "200",
                    "FLEETFORM_K8S_ROLLOUT_TIMEOUT", "30");
            try {
                proxy.rule(HttpFaultProxy.random(random.nextLong(), AgentFaultTrial.CHANCE, 4_000));
                List<Integer> exits = new ArrayList<>();
                write(dir, name, namespace, 2, 64);
                exits.add(apply(dir, env).exitCode());
                write(dir, name, namespace, 2, 96);
                exits.add(apply(dir, env).exitCode());
                write(dir, name, namespace, 3, 96);
                exits.add(apply(dir, env).exitCode());
                proxy.heal();
                System.out.println("  kube faults: " + proxy.summary() + " of " + proxy.log().size()
                        + " requests; apply exit codes under faults " + exits);
                Outcome outcome = inspect(kind, cluster, dir, env, namespace, foreign);
                return outcome.clean() ? outcome : outcome.withNote(proxy.summary());
            } finally {
                proxy.heal();
                Cli.run(dir, env, "destroy", dir.toString(), "--auto-approve");
                cluster.delete("/api/v1/namespaces/" + namespace);
            }
        }
    }

    private static Cli.Result apply(Path dir, Map<String, String> env) throws IOException, InterruptedException {
        return Cli.run(dir, env, "apply", dir.toString(), "--auto-approve");
    }

    private static void write(Path dir, String name, String namespace, int zones, int memoryMi) throws IOException {
        Files.writeString(dir.resolve("fleet.fleet"), "fleet \"" + name + "\" {\n  owner = \"reliability\"\n}\n\n"
                + "image \"toy\" {\n  name = \"fleetform/busybox\"\n  tag  = \"1\"\n}\n\n"
                + "cluster \"k\" {\n  context    = \"" + KubeCluster.CONTEXT + "\"\n  namespace  = \"" + namespace
                + "\"\n  kubeconfig = \"kubeconfig\"\n}\n\n"
                + "idc \"dc\" {\n  region = \"here\"\n  target = cluster.k\n}\n\n"
                + "zones \"toy\" from 1 to " + zones + " as z {\n  idc = idc.dc\n\n  service \"game\" {\n"
                + "    image    = image.toy\n    cpu      = 250m\n    memory   = " + memoryMi + "Mi\n"
                + "    replicas = 1\n    ports    = { game = 7000 }\n"
                + "    env      = { ZONE = z.name, DB_PASS = secret(\"db\") }\n"
                + "    config   = { \"/etc/game/game.conf\" = \"zone=${z.name}\\n\" }\n  }\n}\n");
    }

    /**
     * The namespace, made by a team before the fleet, holding a team's ConfigMap and another
     * fleet's; returns each with what it looked like.
     */
    private static Map<String, JsonNode> foreignObjects(KubeCluster cluster, String namespace)
            throws IOException, InterruptedException {
        Map<String, JsonNode> made = new HashMap<>();
        made.put("/api/v1/namespaces/" + namespace, cluster.post("/api/v1/namespaces", Map.of("apiVersion", "v1",
                "kind", "Namespace", "metadata", Map.of("name", namespace, "labels", Map.of("team", "ops")))));
        String configMaps = "/api/v1/namespaces/" + namespace + "/configmaps";
        made.put(configMaps + "/team-settings", cluster.post(configMaps, Map.of("apiVersion", "v1", "kind", "ConfigMap",
                "metadata", Map.of("name", "team-settings"), "data", Map.of("owner", "ops"))));
        made.put(configMaps + "/toy1-game-other", cluster.post(configMaps, Map.of("apiVersion", "v1", "kind",
                "ConfigMap", "metadata", Map.of("name", "toy1-game-other", "labels", Map.of(FLEET_LABEL,
                        "someone-else.other-fleet"), "annotations", Map.of(ADDRESS, "k8s.k.configmap." + namespace
                        + "/toy1-game-other")), "data", Map.of("owner", "another fleet"))));
        return made;
    }

    private static Outcome inspect(String kind, KubeCluster cluster, Path dir, Map<String, String> env,
                                   String namespace, Map<String, JsonNode> foreign)
            throws IOException, InterruptedException {
        List<String> notes = new ArrayList<>();
        int corrupt = 0;
        Path state = dir.resolve(".fleetform/state.json");
        if (Files.exists(state)) {
            try {
                JSON.readTree(state.toFile());
            } catch (IOException e) {
                notes.add("state.json is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
                corrupt = 1;
            }
        }
        Cli.Result rerun = apply(dir, env);
        Cli.Result plan = Cli.run(dir, env, "plan", dir.toString(), "--detailed-exitcode");
        int nonConverging = rerun.ok() && plan.exitCode() == 0 ? 0 : 1;
        if (nonConverging > 0) {
            notes.add("re-run apply exit " + rerun.exitCode() + ", plan exit " + plan.exitCode() + ": "
                    + Inspection.lastLines(rerun.ok() ? plan.output() : rerun.output()));
        }
        Cli.Result list = Cli.run(dir, env, "state", "list", "--dir", dir.toString());
        if (!list.ok()) {
            corrupt = 1;
            notes.add("state list exit " + list.exitCode() + ": " + Inspection.lastLines(list.output()));
        }
        Set<String> inState = new HashSet<>(list.output().strip().lines().map(String::strip).toList());

        int orphans = 0;
        int duplicates = 0;
        Map<String, String> seen = new HashMap<>();
        for (String collection : COLLECTIONS) {
            JsonNode items = cluster.get(String.format(collection, namespace));
            for (JsonNode item : items == null ? List.<JsonNode>of() : items.get("items")) {
                JsonNode meta = item.get("metadata");
                String fleet = meta.at("/labels/" + FLEET_LABEL.replace("/", "~1")).asText("");
                String address = meta.at("/annotations/" + ADDRESS.replace("/", "~1")).asText("");
                String where = collection.substring(collection.lastIndexOf('/') + 1) + "/" + meta.get("name").asText();
                if (fleet.isEmpty() || fleet.startsWith("someone-else")) {
                    continue;
                }
                if (!inState.contains(address)) {
                    orphans++;
                    notes.add("orphan " + where + " (" + address + ")");
                }
                String before = seen.put(address, where);
                if (before != null) {
                    duplicates++;
                    notes.add(address + " twice: " + before + " and " + where);
                }
            }
        }
        if (seen.isEmpty()) {
            nonConverging = 1; // nothing to check would make every other column a vacuous zero
            notes.add("no object of the fleet found in namespace " + namespace);
        }
        System.out.println("  kube faults: checked " + seen.size() + " objects of the fleet and " + foreign.size()
                + " foreign ones");
        int touched = 0;
        for (Map.Entry<String, JsonNode> e : foreign.entrySet()) {
            JsonNode now = cluster.get(e.getKey());
            String was = e.getValue().at("/metadata/resourceVersion").asText();
            if (now == null) {
                touched++;
                notes.add(e.getKey() + " was deleted");
            } else if (!now.at("/metadata/resourceVersion").asText().equals(was)
                    && !e.getKey().equals("/api/v1/namespaces/" + namespace)) {
                touched++;
                notes.add(e.getKey() + " was changed");
            } else if (!now.at("/metadata/labels").equals(e.getValue().at("/metadata/labels"))
                    || !now.at("/metadata/annotations").equals(e.getValue().at("/metadata/annotations"))) {
                touched++;
                notes.add(e.getKey() + " got other labels or annotations");
            }
        }
        return new Outcome(kind, corrupt, orphans, duplicates, 0, nonConverging, 0, touched, String.join("; ", notes));
    }
}
