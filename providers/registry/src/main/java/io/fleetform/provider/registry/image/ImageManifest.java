package io.fleetform.provider.registry.image;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** A single-platform image: one config blob and its layers (Docker v2 schema 2 or OCI manifest). */
public record ImageManifest(String mediaType, Descriptor config, List<Descriptor> layers, Digest digest, byte[] bytes)
        implements Manifest {

    public ImageManifest {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(config, "config");
        layers = List.copyOf(layers);
        Objects.requireNonNull(digest, "digest");
        bytes = bytes.clone();
        if (!MediaTypes.isImageManifest(mediaType)) {
            throw new IllegalArgumentException("not an image manifest media type: " + mediaType);
        }
    }

    /** Serialises a new Docker v2 schema 2 manifest. */
    public static ImageManifest dockerV2(Descriptor config, List<Descriptor> layers) {
        return ManifestCodec.encodeImage(MediaTypes.DOCKER_MANIFEST_V2, config, layers);
    }

    /** Serialises a new OCI image manifest. */
    public static ImageManifest oci(Descriptor config, List<Descriptor> layers) {
        return ManifestCodec.encodeImage(MediaTypes.OCI_MANIFEST, config, layers);
    }

    /** Config first, then layers: the order in which a registry must have received them before the manifest. */
    @Override
    public List<Descriptor> references() {
        List<Descriptor> all = new ArrayList<>(layers.size() + 1);
        all.add(config);
        all.addAll(layers);
        return List.copyOf(all);
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public long size() {
        return bytes.length;
    }

    public long totalBlobSize() {
        return references().stream().mapToLong(Descriptor::size).sum();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageManifest m && m.mediaType.equals(mediaType) && Arrays.equals(m.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return digest.hashCode();
    }

    @Override
    public String toString() {
        return "ImageManifest[" + mediaType + " " + digest + ", " + layers.size() + " layers]";
    }
}
