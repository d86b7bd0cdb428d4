package io.fleetform.provider.registry.replication;

import io.fleetform.provider.registry.image.Descriptor;

/** Progress of an {@link ImageReplicator}, one event per step. */
public sealed interface ReplicationEvent {

    /** The target already holds the blob; nothing is transferred. */
    record BlobSkipped(Descriptor blob) implements ReplicationEvent {
    }

    /** The target registry linked the blob from another of its repositories; nothing is transferred. */
    record BlobMounted(Descriptor blob, String fromRepository) implements ReplicationEvent {
    }

    /** A blob transfer begins (again, if a previous attempt failed). */
    record BlobStarted(Descriptor blob) implements ReplicationEvent {
    }

    /** Bytes of the blob streamed so far in the current attempt. */
    record BlobProgress(Descriptor blob, long bytesSoFar) implements ReplicationEvent {
    }

    /** The target holds the blob, verified against its digest. */
    record BlobDone(Descriptor blob, long bytes) implements ReplicationEvent {
    }

    /** The target already holds this manifest under {@code reference}. */
    record ManifestSkipped(Descriptor manifest, String reference) implements ReplicationEvent {
    }

    /** A manifest was stored in the target under {@code reference} (a tag, or its own digest). */
    record ManifestPushed(Descriptor manifest, String reference) implements ReplicationEvent {
    }
}
