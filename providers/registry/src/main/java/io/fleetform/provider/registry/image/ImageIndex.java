package io.fleetform.provider.registry.image;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A multi-platform image: an OCI index or Docker manifest list pointing at per-platform manifests. */
public record ImageIndex(String mediaType, List<Descriptor> manifests, Digest digest, byte[] bytes)
        implements Manifest {

    public ImageIndex {
        Objects.requireNonNull(mediaType, "mediaType");
        manifests = List.copyOf(manifests);
        Objects.requireNonNull(digest, "digest");
        bytes = bytes.clone();
        if (!MediaTypes.isIndex(mediaType)) {
            throw new IllegalArgumentException("not an index media type: " + mediaType);
        }
    }

    public static ImageIndex oci(List<Descriptor> manifests) {
        return ManifestCodec.encodeIndex(MediaTypes.OCI_INDEX, manifests);
    }

    public static ImageIndex dockerManifestList(List<Descriptor> manifests) {
        return ManifestCodec.encodeIndex(MediaTypes.DOCKER_MANIFEST_LIST, manifests);
    }

    public Optional<Descriptor> forPlatform(Platform platform) {
        return manifests.stream().filter(d -> d.platform().filter(platform::equals).isPresent()).findFirst();
    }

    @Override
    public List<Descriptor> references() {
        return manifests;
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public long size() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageIndex m && m.mediaType.equals(mediaType) && Arrays.equals(m.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return digest.hashCode();
    }

    @Override
    public String toString() {
        return "ImageIndex[" + mediaType + " " + digest + ", " + manifests.size() + " manifests]";
    }
}
