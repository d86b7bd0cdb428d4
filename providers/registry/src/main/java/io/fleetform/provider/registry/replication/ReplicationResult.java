package io.fleetform.provider.registry.replication;

import io.fleetform.provider.registry.image.Digest;
import io.fleetform.provider.registry.image.ImageReference;
import java.time.Duration;

/**
 * What a replication did. A re-run of a completed replication reports zero blobs copied and zero
 * manifests pushed: that is how idempotence shows.
 *
 * @param digest the digest of the top-level manifest, identical in source and target
 */
public record ReplicationResult(ImageReference source, ImageReference target, Digest digest,
                                int blobsCopied, int blobsSkipped, int blobsMounted, long bytesCopied,
                                int manifestsPushed, int manifestsSkipped, Duration elapsed) {

    public int blobsTotal() {
        return blobsCopied + blobsSkipped + blobsMounted;
    }
}
