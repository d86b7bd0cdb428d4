package io.fleetform.provider.kubernetes;

import java.time.Duration;
import java.util.Map;

/**
 * Provider settings, from the environment Fleetform runs in (so a site sets them once):
 * <ul>
 *   <li>{@code FLEETFORM_K8S_IDC_LABEL} (default {@code topology.fleetform.io/idc}),
 *       {@code FLEETFORM_K8S_REGION_LABEL} ({@code topology.kubernetes.io/region}),
 *       {@code FLEETFORM_K8S_MODULE_LABEL} ({@code topology.fleetform.io/module}),
 *       {@code FLEETFORM_K8S_RACK_LABEL} ({@code topology.fleetform.io/rack}): node labels for placement</li>
 *   <li>{@code FLEETFORM_K8S_SRIOV_RESOURCE} ({@code intel.com/sriov_netdevice}): the device plugin's resource,
 *       where the cluster has no SR-IOV Network Operator (NetworkAttachmentDefinition path)</li>
 *   <li>where it has one: {@code FLEETFORM_K8S_SRIOV_NAMESPACE} ({@code sriov-network-operator}): the operator's
 *       namespace, where its policies and networks live; {@code FLEETFORM_K8S_SRIOV_PF_NAMES} (none: required
 *       there): the physical functions, comma-separated, each IDC's policy configures on its nodes;
 *       {@code FLEETFORM_K8S_SRIOV_NUM_VFS} (8): VFs per PF; {@code FLEETFORM_K8S_SRIOV_RESOURCE_PREFIX}
 *       ({@code openshift.io}): the operator's device-plugin resource prefix</li>
 *   <li>{@code FLEETFORM_K8S_STORAGE_CLASS} (none: the cluster's default): for data disks</li>
 *   <li>{@code FLEETFORM_K8S_ROLLOUT_TIMEOUT} (seconds, default 600) and {@code FLEETFORM_K8S_POLL_MS}
 *       (default 2000): waiting for workloads to roll out (a watch of each workload kind wakes the waits; the
 *       poll interval is how often a waiting rollout's pods are checked for a crash loop, and the interval of
 *       the fallback polling where the cluster refuses the LIST)</li>
 *   <li>{@code FLEETFORM_K8S_WATCH_SECONDS} (default 300): how long the API server keeps one watch stream open
 *       ({@code timeoutSeconds}) before the watch goes on with a new one</li>
 *   <li>{@code FLEETFORM_K8S_REQUEST_TIMEOUT} (seconds, default 30): one API call</li>
 * </ul>
 */
record Settings(String idcLabel, String regionLabel, String moduleLabel, String rackLabel, String sriovResource,
                String storageClass, Duration rolloutTimeout, Duration poll, Duration requestTimeout,
                String sriovNamespace, java.util.List<String> sriovPfNames, long sriovNumVfs, String sriovResourcePrefix,
                Duration watchFor) {

    static Settings from(Map<String, String> env) {
        return new Settings(
                env.getOrDefault("FLEETFORM_K8S_IDC_LABEL", "topology.fleetform.io/idc"),
                env.getOrDefault("FLEETFORM_K8S_REGION_LABEL", "topology.kubernetes.io/region"),
                env.getOrDefault("FLEETFORM_K8S_MODULE_LABEL", "topology.fleetform.io/module"),
                env.getOrDefault("FLEETFORM_K8S_RACK_LABEL", "topology.fleetform.io/rack"),
                env.getOrDefault("FLEETFORM_K8S_SRIOV_RESOURCE", "intel.com/sriov_netdevice"),
                env.getOrDefault("FLEETFORM_K8S_STORAGE_CLASS", ""),
                Duration.ofSeconds(number(env, "FLEETFORM_K8S_ROLLOUT_TIMEOUT", 600)),
                Duration.ofMillis(number(env, "FLEETFORM_K8S_POLL_MS", 2000)),
                Duration.ofSeconds(number(env, "FLEETFORM_K8S_REQUEST_TIMEOUT", 30)),
                env.getOrDefault("FLEETFORM_K8S_SRIOV_NAMESPACE", "sriov-network-operator"),
                java.util.Arrays.stream(env.getOrDefault("FLEETFORM_K8S_SRIOV_PF_NAMES", "").split(","))
                        .map(String::strip).filter(n -> !n.isEmpty()).toList(),
                number(env, "FLEETFORM_K8S_SRIOV_NUM_VFS", 8),
                env.getOrDefault("FLEETFORM_K8S_SRIOV_RESOURCE_PREFIX", "openshift.io"),
                Duration.ofSeconds(Math.max(1, number(env, "FLEETFORM_K8S_WATCH_SECONDS", 300))));
    }

    private static long number(Map<String, String> env, String name, long fallback) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
