package io.fleetform.provider.host.agent;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.AuthConfig;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The images on the host: what is present, and pulls. */
final class ImageStore {
    private final DockerClient docker;
    private final EngineCalls engine;

    ImageStore(DockerClient docker, EngineCalls engine) {
        this.docker = docker;
        this.engine = engine;
    }

    Optional<String> localImageId(String image) {
        try {
            return Optional.of(engine.call("inspect image " + image, () -> docker.inspectImageCmd(image).exec())
                    .getId());
        } catch (ApiException e) {
            if (e.status() == 422) {
                return Optional.empty();
            }
            throw e;
        }
    }

    PullResult pull(PullRequest r) {
        String ref = r.image();
        String repo;
        String tag;
        int at = ref.indexOf('@');
        if (at >= 0) {
            repo = ref.substring(0, at);
            tag = ref.substring(at + 1);
        } else {
            int slash = ref.lastIndexOf('/');
            int colon = ref.lastIndexOf(':');
            if (colon > slash) {
                repo = ref.substring(0, colon);
                tag = ref.substring(colon + 1);
            } else {
                repo = ref;
                tag = "latest";
            }
        }
        try {
            var cmd = docker.pullImageCmd(repo).withTag(tag);
            if (r.username() != null) {
                cmd.withAuthConfig(new AuthConfig().withUsername(r.username()).withPassword(r.password()));
            }
            boolean done = cmd.exec(new PullImageResultCallback()).awaitCompletion(30, TimeUnit.MINUTES);
            if (!done) {
                throw new ApiException(504, "engine_error", "pulling " + ref + " did not finish within 30 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "engine_unavailable", "interrupted while pulling " + ref);
        } catch (DockerClientException e) {
            throw ApiException.unprocessable("cannot pull " + ref + ": " + EngineCalls.rootMessage(e));
        } catch (DockerException e) {
            throw ApiException.unprocessable("cannot pull " + ref + ": " + EngineCalls.messageOf(e.getMessage()));
        } catch (UncheckedIOException e) {
            throw engine.unavailable("pull " + ref, e);
        }
        String id = localImageId(ref).orElseThrow(() -> ApiException.unprocessable("pulled " + ref
                + " but the engine does not list it"));
        return new PullResult(ref, id);
    }
}
