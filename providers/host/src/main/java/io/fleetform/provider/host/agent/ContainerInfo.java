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
 */
public record ContainerInfo(String address, String id, String name, String state, boolean running, String imageId,
                            String ipv4, String dataPath, ContainerSpec spec, ContainerHealth health) {
}
