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
 * {@code docker exec}: the command runs in the container, the end of its output and its exit code are kept; and the
 * container's pid, from {@code docker inspect}.
 */
public final class DockerExec implements ContainerExec, ContainerPid {
    private final DockerClient docker;

    public DockerExec(DockerClient docker) {
        this.docker = docker;
    }

    @Override
    public Ran run(String containerId, List<String> command, Duration timeout) throws InterruptedException {
        ExecCreateCmdResponse created = docker.execCreateCmd(containerId).withCmd(command.toArray(String[]::new))
                .withAttachStdout(true).withAttachStderr(true).exec();
        Tail tail = new Tail();
        ResultCallback.Adapter<Frame> callback = docker.execStartCmd(created.getId()).exec(tail);
        try {
            if (!callback.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return new Ran(null, tail.text());
            }
        } finally {
            try {
                callback.close();
            } catch (IOException ignored) {
                // the stream is done with either way
            }
        }
        return new Ran(docker.inspectExecCmd(created.getId()).exec().getExitCodeLong(), tail.text());
    }

    /** The last {@link Ran#OUTPUT_BYTES} of a command's standard output and error, as they came. */
    private static final class Tail extends ResultCallback.Adapter<Frame> {
        private final byte[] kept = new byte[Ran.OUTPUT_BYTES];
        private int length;

        @Override
        public synchronized void onNext(Frame frame) {
            byte[] payload = frame.getPayload();
            if (payload == null) {
                return;
            }
            if (payload.length >= kept.length) {
                System.arraycopy(payload, payload.length - kept.length, kept, 0, kept.length);
                length = kept.length;
                return;
            }
            int keep = Math.min(length, kept.length - payload.length);
            System.arraycopy(kept, length - keep, kept, 0, keep);
            System.arraycopy(payload, 0, kept, keep, payload.length);
            length = keep + payload.length;
        }

        synchronized String text() {
            return new String(kept, 0, length, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Override
    public long of(String containerId) {
        var state = docker.inspectContainerCmd(containerId).exec().getState();
        Long pid = state.getPidLong();
        return Boolean.TRUE.equals(state.getRunning()) && pid != null ? pid : 0;
    }
}
