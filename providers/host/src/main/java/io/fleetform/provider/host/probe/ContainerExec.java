package io.fleetform.provider.host.probe;

import java.time.Duration;
import java.util.List;

/** Runs a command inside a container: how an {@code exec} probe reaches it. */
@FunctionalInterface
public interface ContainerExec {
    /**
     * What a command did.
     *
     * @param exitCode its exit code, or null when it did not end within the timeout
     * @param output   the end of what it printed (standard output and error), at most {@link #OUTPUT_BYTES}
     */
    record Ran(Long exitCode, String output) {
        /** How much of a command's output is kept: its last lines say why it failed. */
        public static final int OUTPUT_BYTES = 4096;

        public Ran {
            output = output == null ? "" : output;
        }
    }

    /** @throws RuntimeException when the Docker Engine refuses (the container is gone, the command is not there) */
    Ran run(String containerId, List<String> command, Duration timeout) throws InterruptedException;
}
