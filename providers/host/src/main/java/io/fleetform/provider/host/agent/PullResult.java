package io.fleetform.provider.host.agent;

/** Answer of {@code POST /v1/images/pull}: the reference pulled and the local image id it resolved to. */
public record PullResult(String image, String imageId) {
}
