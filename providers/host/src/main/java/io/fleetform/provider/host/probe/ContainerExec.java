package io.fleetform.provider.host.probe;

import java.time.Duration;
import java.util.List;

/** Runs a command inside a container: how an {@code exec} probe reaches it. */
@FunctionalInterface
public interface ContainerExec {
    /**
     * @return the command's exit code, or null when it did not end within {@code timeout}
     * @throws RuntimeException when the Docker Engine refuses (the container is gone, the command is not there)
     */
    Long run(String containerId, List<String> command, Duration timeout) throws InterruptedException;
}
