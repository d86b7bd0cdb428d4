package io.fleetform.provider.registry.image;

import java.util.Objects;
import java.util.Optional;

/**
 * A typed, sized pointer to content by digest: a config or layer blob of an image manifest, or a
 * child manifest of an index (which then usually carries a platform).
 */
public record Descriptor(String mediaType, Digest digest, long size, Optional<Platform> platform) {

    public Descriptor {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(platform, "platform");
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size + " for " + digest);
        }
    }

    public Descriptor(String mediaType, Digest digest, long size) {
        this(mediaType, digest, size, Optional.empty());
    }

    /** Describes {@code content} as it would be stored: digest and size are computed, not trusted. */
    public static Descriptor of(String mediaType, byte[] content) {
        return new Descriptor(mediaType, Digest.sha256(content), content.length);
    }

    public Descriptor withPlatform(Platform p) {
        return new Descriptor(mediaType, digest, size, Optional.of(p));
    }
}
