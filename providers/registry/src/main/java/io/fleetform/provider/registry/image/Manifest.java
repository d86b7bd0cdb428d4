package io.fleetform.provider.registry.image;

import java.util.List;

/**
 * A manifest exactly as a registry stores it. The raw bytes are kept because the digest is computed
 * over them: re-serialising a parsed manifest would change whitespace or key order and so its
 * identity.
 */
public sealed interface Manifest permits ImageManifest, ImageIndex {

    String mediaType();

    Digest digest();

    /** A copy of the manifest's bytes, the exact content that hashes to {@link #digest()}. */
    byte[] bytes();

    /** Size in bytes of the manifest itself. */
    long size();

    /** What this manifest points at: config and layer blobs, or the child manifests of an index. */
    List<Descriptor> references();

    default Descriptor descriptor() {
        return new Descriptor(mediaType(), digest(), size());
    }
}
