package io.fleetform.provider.registry.replication;

import io.fleetform.provider.registry.image.Descriptor;
import io.fleetform.provider.registry.image.ImageReference;
import io.fleetform.provider.registry.image.Manifest;
import java.util.List;
import java.util.Objects;

/**
 * An image as read from its source registry, every manifest verified against its digest when it
 * was fetched: the top-level manifest, the child manifests of an index (children before their
 * parents) and every blob they reference, each once. Read once per copy, so that the blob list
 * shown as progress and the blobs copied come from the same manifests.
 */
public record SourceImage(ImageReference reference, Manifest root, List<Manifest> children, List<Descriptor> blobs) {

    public SourceImage {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(root, "root");
        children = List.copyOf(children);
        blobs = List.copyOf(blobs);
    }

    /** Bytes of all blobs, as the registry lists them. */
    public long size() {
        return blobs.stream().mapToLong(Descriptor::size).sum();
    }
}
