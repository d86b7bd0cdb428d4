package io.fleetform.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * The test cluster has no kubelet nor workload controllers: this reports every StatefulSet and
 * Deployment of one namespace as rolled out (status subresource, straight to the API server,
 * never through the fault proxy), in the background until closed, so that applies finish.
 */
final class FakeKubelet implements AutoCloseable {
    private final Thread thread;
    private volatile boolean running = true;

    private FakeKubelet(KubeCluster cluster, String namespace) {
        this.thread = new Thread(() -> {
            while (running) {
                for (String kind : List.of("statefulsets", "deployments")) {
                    try {
                        markReady(cluster, "/apis/apps/v1/namespaces/" + namespace + "/" + kind);
                    } catch (Exception e) {
                        // the next round tries again
                    }
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "fake-kubelet");
        thread.setDaemon(true);
    }

    static FakeKubelet start(KubeCluster cluster, String namespace) {
        FakeKubelet kubelet = new FakeKubelet(cluster, namespace);
        kubelet.thread.start();
        return kubelet;
    }

    private static void markReady(KubeCluster cluster, String collection) throws Exception {
        JsonNode list = cluster.get(collection);
        if (list == null) {
            return;
        }
        for (JsonNode item : list.get("items")) {
            JsonNode meta = item.get("metadata");
            if (meta.has("deletionTimestamp")) {
                continue;
            }
            long generation = meta.get("generation").asLong();
            long replicas = item.at("/spec/replicas").asLong(1);
            JsonNode status = item.path("status");
            if (status.path("observedGeneration").asLong() == generation
                    && status.path("readyReplicas").asLong() == replicas
                    && status.path("updatedReplicas").asLong() == replicas) {
                continue;
            }
            cluster.mergePatch(collection + "/" + meta.get("name").asText() + "/status", Map.of("status", Map.of(
                    "observedGeneration", generation, "replicas", replicas, "readyReplicas", replicas,
                    "updatedReplicas", replicas, "currentReplicas", replicas, "availableReplicas", replicas)));
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(2000);
    }
}
