package io.fleetform.provider.host.probe;

/** The process id of a container's init: how the agent enters its network namespace. */
@FunctionalInterface
public interface ContainerPid {
    /**
     * @return the pid, or 0 when the container is not running
     * @throws RuntimeException when the Docker Engine refuses (the container is gone)
     */
    long of(String containerId);
}
