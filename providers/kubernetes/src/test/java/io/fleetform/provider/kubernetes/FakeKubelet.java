package io.fleetform.provider.kubernetes;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * No kubelet or workload controller runs in the test clusters: this writes every
 * workload's (StatefulSet, Deployment, and the Kruise kinds when their CRDs are installed) {@code status} (through the status subresource) as if all its
 * replicas were up to date and ready, in the background, until closed.
 */
final class FakeKubelet implements AutoCloseable {
    private final StandInController controller;

    FakeKubelet(TestClusters.Cluster cluster, String namespace) throws KubeApi.Unreachable {
        KubeApi api = new KubeApi(cluster.kubeconfig(), cluster.context(), Duration.ofSeconds(10));
        this.controller = new StandInController("fake-kubelet", api, 150, () -> {
            for (Kind kind : java.util.Arrays.stream(Kind.values()).filter(Kind::isWorkload).toList()) {
                try {
                    markAllReady(api, kind, namespace);
                } catch (Exception ignored) {
                    // the next round tries again
                }
            }
        });
    }

    @SuppressWarnings("unchecked")
    static void markAllReady(KubeApi api, Kind kind, String namespace) throws KubeApi.Unreachable {
        KubeApi.Response list = api.get(kind.path(namespace, null));
        if (!list.ok()) {
            return;
        }
        for (Object o : (List<Object>) list.body().getOrDefault("items", List.of())) {
            Map<String, Object> item = (Map<String, Object>) o;
            Map<String, Object> meta = (Map<String, Object>) item.get("metadata");
            if (meta.containsKey("deletionTimestamp")) {
                continue;
            }
            KubernetesProvider.Rollout r = KubernetesProvider.Rollout.of(item);
            if (!r.done()) {
                writeStatus(api, kind, namespace, (String) meta.get("name"), r.generation(), r.replicas(), r.replicas());
            }
        }
    }

    static void writeStatus(KubeApi api, Kind kind, String namespace, String name, long generation, long replicas,
                            long ready) throws KubeApi.Unreachable {
        Map<String, Object> status = new java.util.HashMap<>(Map.of("observedGeneration", generation, "replicas",
                replicas, "readyReplicas", ready, "updatedReplicas", replicas, "currentReplicas", replicas));
        if (kind.isCustom()) {
            status.put("updatedReadyReplicas", ready); // the Kruise kinds report it
        }
        KubeApi.Response r = api.mergePatch(kind.path(namespace, name) + "/status", Map.of("status", status),
                "fake-kubelet");
        if (!r.ok()) {
            throw new IllegalStateException("writing status of " + name + ": HTTP " + r.code() + " " + r.message());
        }
    }

    @Override
    public void close() throws InterruptedException {
        controller.close();
    }
}
