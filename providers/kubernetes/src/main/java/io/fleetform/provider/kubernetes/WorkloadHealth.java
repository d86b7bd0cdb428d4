package io.fleetform.provider.kubernetes;

import io.fleetform.engine.provider.HealthResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A workload's health from the API server: its rollout complete (the same rule as the rollout
 * wait), then its pods, found by the workload's selector: each Ready, none waiting in
 * {@code CrashLoopBackOff} or the like, and the sum of their containers' restart counts (which a
 * gate watches grow). A pod's readiness already includes the workload's {@code minReadySeconds}.
 */
final class WorkloadHealth {
    private static final List<String> BROKEN = List.of("CrashLoopBackOff", "ErrImagePull", "ImagePullBackOff",
            "CreateContainerConfigError", "InvalidImageName", "RunContainerError");

    private WorkloadHealth() {
    }

    static HealthResponse of(Map<String, Object> workload, KubeApi.Response pods) {
        KubernetesProvider.Rollout rollout = KubernetesProvider.Rollout.of(workload);
        long restarts = 0;
        List<String> notReady = new ArrayList<>();
        if (pods.ok() && pods.body().get("items") instanceof List<?> items) {
            for (Object o : items) {
                if (!(o instanceof Map<?, ?> pod)) {
                    continue;
                }
                String name = String.valueOf(((Map<?, ?>) pod.get("metadata")).get("name"));
                Map<?, ?> status = pod.get("status") instanceof Map<?, ?> m ? m : Map.of();
                boolean ready = false;
                if (status.get("conditions") instanceof List<?> conditions) {
                    for (Object c : conditions) {
                        if (c instanceof Map<?, ?> cond && "Ready".equals(cond.get("type"))) {
                            ready = "True".equals(cond.get("status"));
                        }
                    }
                }
                if (status.get("containerStatuses") instanceof List<?> containers) {
                    for (Object c : containers) {
                        if (!(c instanceof Map<?, ?> cs)) {
                            continue;
                        }
                        if (cs.get("restartCount") instanceof Number n) {
                            restarts += n.longValue();
                        }
                        if (cs.get("state") instanceof Map<?, ?> st && st.get("waiting") instanceof Map<?, ?> w
                                && BROKEN.contains(String.valueOf(w.get("reason")))) {
                            return HealthResponse.unhealthy("pod " + name + " container " + cs.get("name") + " is "
                                    + w.get("reason") + (w.get("message") == null ? "" : ": " + w.get("message"))
                                    + ", " + cs.get("restartCount") + " restarts", restarts);
                        }
                    }
                }
                if (!ready) {
                    notReady.add(name);
                }
            }
        }
        RolloutHold hold = RolloutHold.of(workload);
        if (hold.paused().isPresent() && !hold.done(rollout)) {
            return HealthResponse.progressing("paused by someone else (" + hold.paused().get() + "): "
                    + rollout.describe(), restarts);
        }
        if (!hold.done(rollout)) {
            return HealthResponse.progressing("rollout not complete: " + rollout.describe(), restarts);
        }
        if (!notReady.isEmpty()) {
            return HealthResponse.progressing("pods not ready: " + String.join(", ", notReady), restarts);
        }
        if (hold.ours() && !rollout.done()) {
            return HealthResponse.healthy("the stage's share rolled out: " + rollout.updated() + "/"
                    + rollout.replicas() + " updated (partition " + hold.partition() + " set by this rollout), "
                    + rollout.ready() + "/" + rollout.replicas() + " ready, " + restarts + " restarts", restarts);
        }
        return HealthResponse.healthy("rolled out, " + rollout.ready() + "/" + rollout.replicas() + " ready, "
                + restarts + " restarts", restarts);
    }

    /**
     * A pod of the workload's new revision (its {@code controller-revision-hash} label is the
     * status's {@code updateRevision}) whose container waits in {@code CrashLoopBackOff} or the like:
     * the rollout wait stops at once with why, instead of waiting out its timeout. Kinds that do not
     * report an update revision (Deployment) are not looked at, nor are old pods (the change may be
     * what fixes them).
     */
    static Optional<String> brokenNewPod(Map<String, Object> workload, KubeApi.Response pods) {
        Map<?, ?> status = workload.get("status") instanceof Map<?, ?> m ? m : Map.of();
        if (!(status.get("updateRevision") instanceof String revision) || revision.isEmpty() || !pods.ok()
                || !(pods.body().get("items") instanceof List<?> items)) {
            return Optional.empty();
        }
        for (Object o : items) {
            if (!(o instanceof Map<?, ?> pod) || !(pod.get("metadata") instanceof Map<?, ?> meta)) {
                continue;
            }
            Map<?, ?> labels = meta.get("labels") instanceof Map<?, ?> l ? l : Map.of();
            Map<?, ?> podStatus = pod.get("status") instanceof Map<?, ?> m ? m : Map.of();
            if (!revision.equals(labels.get("controller-revision-hash"))
                    || !(podStatus.get("containerStatuses") instanceof List<?> containers)) {
                continue;
            }
            for (Object c : containers) {
                if (c instanceof Map<?, ?> cs && cs.get("state") instanceof Map<?, ?> st
                        && st.get("waiting") instanceof Map<?, ?> w && BROKEN.contains(String.valueOf(w.get("reason")))) {
                    return Optional.of("pod " + meta.get("name") + " of the new revision " + revision + ": container "
                            + cs.get("name") + " is " + w.get("reason") + (w.get("message") == null ? ""
                            : " (" + w.get("message") + ")") + ", " + cs.get("restartCount") + " restarts");
                }
            }
        }
        return Optional.empty();
    }

    /** The pods of a workload: by its selector's labels. */
    static String podsPath(Map<String, Object> workload, String namespace) {
        Map<?, ?> spec = workload.get("spec") instanceof Map<?, ?> m ? m : Map.of();
        Map<?, ?> selector = spec.get("selector") instanceof Map<?, ?> m ? m : Map.of();
        Map<?, ?> labels = selector.get("matchLabels") instanceof Map<?, ?> m ? m : Map.of();
        List<String> terms = new ArrayList<>();
        new TreeMap<>(labels).forEach((k, v) -> terms.add(k + "=" + v));
        return "/api/v1/namespaces/" + namespace + "/pods?labelSelector="
                + URLEncoder.encode(String.join(",", terms), StandardCharsets.UTF_8);
    }
}
