package io.fleetform.provider.registry.image;

import java.util.List;

/** Media types of the Docker v2 and OCI image formats. */
public final class MediaTypes {

    public static final String DOCKER_MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    public static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";

    /** Legacy signed manifests; recognised only so that they can be refused with a clear message. */
    public static final String DOCKER_MANIFEST_V1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";
    public static final String DOCKER_MANIFEST_V1 = "application/vnd.docker.distribution.manifest.v1+json";

    /**
     * Sent as {@code Accept} on every manifest request. Registries before v3 fall back to rewriting a
     * v2 manifest as schema1, which has a different digest, when the client does not list v2; and
     * they hide OCI manifests entirely when the client does not list OCI.
     */
    public static final List<String> MANIFEST_ACCEPT =
            List.of(DOCKER_MANIFEST_V2, DOCKER_MANIFEST_LIST, OCI_MANIFEST, OCI_INDEX);

    public static boolean isIndex(String mediaType) {
        return DOCKER_MANIFEST_LIST.equals(mediaType) || OCI_INDEX.equals(mediaType);
    }

    public static boolean isImageManifest(String mediaType) {
        return DOCKER_MANIFEST_V2.equals(mediaType) || OCI_MANIFEST.equals(mediaType);
    }

    public static boolean isManifest(String mediaType) {
        return isIndex(mediaType) || isImageManifest(mediaType);
    }

    private MediaTypes() {
    }
}
