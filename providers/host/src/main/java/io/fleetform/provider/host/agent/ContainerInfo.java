package io.fleetform.provider.host.agent;

/**
 * A managed container as the agent sees it (answer of {@code GET /v1/containers/{address}}).
 *
 * @param address  instance address (from the container's label)
 * @param id       Docker container id
 * @param name     Docker container name
 * @param state    Docker state ({@code running}, {@code exited}, ...)
 * @param running  whether it is running
 * @param imageId  id of the image the container runs
 * @param ipv4     its fixed IPv4 on {@code spec.network}, or null
 * @param dataPath host directory mounted at {@code spec.mountPoint}
 * @param spec     the effective spec: as created, with the in-place fields (CPU, memory, IO, restart policy) read
 *                 back live from Docker and the container's cgroup
 * @param health   whether it is up, and what is wrong when it is not (stopped, crash-looping, OOM-killed)
 * @param sriov    its SR-IOV VF as it is now (settings, netdev inside the container, IRQ affinity), for drift;
 *                 null when it has none
 * @param routes   the underlay's static routes found in its network namespace, of those its spec asks for, for
 *                 drift; null when it asks for none (or is not running)
 * @param published on an agent bridge: the names of its ports whose DNAT rules are all on the host, for drift;
 *                  null when it publishes none (or is not running)
 */
public record ContainerInfo(String address, String id, String name, String state, boolean running, String imageId,
                            String ipv4, String dataPath, ContainerSpec spec, ContainerHealth health,
                            io.fleetform.provider.sriov.VfLive sriov, java.util.List<String> routes,
                            java.util.List<String> published) {
    public ContainerInfo {
        routes = routes == null ? null : java.util.List.copyOf(routes);
        published = published == null ? null : java.util.List.copyOf(published);
    }

    public ContainerInfo(String address, String id, String name, String state, boolean running, String imageId,
                         String ipv4, String dataPath, ContainerSpec spec, ContainerHealth health,
                         io.fleetform.provider.sriov.VfLive sriov, java.util.List<String> routes) {
        this(address, id, name, state, running, imageId, ipv4, dataPath, spec, health, sriov, routes, null);
    }

    public ContainerInfo(String address, String id, String name, String state, boolean running, String imageId,
                         String ipv4, String dataPath, ContainerSpec spec, ContainerHealth health) {
        this(address, id, name, state, running, imageId, ipv4, dataPath, spec, health, null, null);
    }

    public ContainerInfo(String address, String id, String name, String state, boolean running, String imageId,
                         String ipv4, String dataPath, ContainerSpec spec, ContainerHealth health,
                         io.fleetform.provider.sriov.VfLive sriov) {
        this(address, id, name, state, running, imageId, ipv4, dataPath, spec, health, sriov, null);
    }

    ContainerInfo withRoutes(java.util.List<String> live) {
        return new ContainerInfo(address, id, name, state, running, imageId, ipv4, dataPath, spec, health, sriov, live,
                published);
    }

    ContainerInfo withPublished(java.util.List<String> live) {
        return new ContainerInfo(address, id, name, state, running, imageId, ipv4, dataPath, spec, health, sriov, routes,
                live);
    }

    ContainerInfo withSriov(io.fleetform.provider.sriov.VfLive live) {
        String ip = live != null && live.link() != null && !live.link().addresses().isEmpty()
                ? live.link().addresses().get(0).replaceAll("/.*", "") : ipv4;
        return new ContainerInfo(address, id, name, state, running, imageId, ip, dataPath, spec, health, live, routes,
                published);
    }
}
