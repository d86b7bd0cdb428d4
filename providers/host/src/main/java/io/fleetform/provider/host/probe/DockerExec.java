package io.fleetform.provider.host.probe;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.ExecCreateCmdResponse;
import com.github.dockerjava.api.model.Frame;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code docker exec}: the command runs in the container, its output is discarded, its exit code kept; and the
 * container's pid, from {@code docker inspect}.
 */
public final class DockerExec implements ContainerExec, ContainerPid {
    private final DockerClient docker;

    public DockerExec(DockerClient docker) {
        this.docker = docker;
    }

    @Override
    public Long run(String containerId, List<String> command, Duration timeout) throws InterruptedException {
        ExecCreateCmdResponse created = docker.execCreateCmd(containerId).withCmd(command.toArray(String[]::new))
                .withAttachStdout(true).withAttachStderr(true).exec();
        ResultCallback.Adapter<Frame> callback = docker.execStartCmd(created.getId())
                .exec(new ResultCallback.Adapter<>());
        try {
            if (!callback.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return null;
            }
        } finally {
            try {
                callback.close();
            } catch (IOException ignored) {
                // the stream is done with either way
            }
        }
        return docker.inspectExecCmd(created.getId()).exec().getExitCodeLong();
    }

    @Override
    public long of(String containerId) {
        var state = docker.inspectContainerCmd(containerId).exec().getState();
        Long pid = state.getPidLong();
        return Boolean.TRUE.equals(state.getRunning()) && pid != null ? pid : 0;
    }
}
