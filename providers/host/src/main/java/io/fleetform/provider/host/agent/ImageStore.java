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

    /** An image on the host: the reference to create containers from, and its id. */
    record Local(String reference, String id) {
    }

    Optional<String> localImageId(String image) {
        return find(image).map(Local::id);
    }

    /**
     * The local image {@code image} names. By digest, any repository's copy of that digest is the same image:
     * one pulled from the IDC's mirror ({@code mirror/game@sha256:...}) serves {@code central/game@sha256:...}.
     */
    Optional<Local> find(String image) {
        try {
            return Optional.of(new Local(image, engine.call("inspect image " + image,
                    () -> docker.inspectImageCmd(image).exec()).getId()));
        } catch (ApiException e) {
            if (e.status() != 422) {
                throw e;
            }
        }
        int at = image.indexOf("@sha256:");
        if (at < 0) {
            return Optional.empty();
        }
        String digest = image.substring(at + 1);
        for (var i : engine.call("list images", () -> docker.listImagesCmd().exec())) {
            for (String d : i.getRepoDigests() == null ? new String[0] : i.getRepoDigests()) {
                if (d.endsWith("@" + digest)) {
                    return Optional.of(new Local(d, i.getId()));
                }
            }
        }
        return Optional.empty();
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
