package io.fleetform.provider.registry.replication;

/**
 * Tuning of an {@link ImageReplicator}.
 *
 * @param parallelism       blobs transferred at the same time
 * @param chunkSize         upload blobs larger than this in chunks of this size; 0 uploads every blob in one request
 * @param mount             within one registry, link blobs across repositories instead of copying them
 * @param progressInterval  bytes between two {@link ReplicationEvent.BlobProgress} events of one blob
 */
public record ReplicationOptions(int parallelism, int chunkSize, boolean mount, long progressInterval) {

    public ReplicationOptions {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, was " + parallelism);
        }
        if (chunkSize < 0) {
            throw new IllegalArgumentException("chunkSize must not be negative, was " + chunkSize);
        }
        if (progressInterval < 1) {
            throw new IllegalArgumentException("progressInterval must be positive, was " + progressInterval);
        }
    }

    public static ReplicationOptions defaults() {
        return new ReplicationOptions(4, 0, true, 1 << 20);
    }

    public ReplicationOptions withParallelism(int value) {
        return new ReplicationOptions(value, chunkSize, mount, progressInterval);
    }

    public ReplicationOptions withChunkSize(int value) {
        return new ReplicationOptions(parallelism, value, mount, progressInterval);
    }

    public ReplicationOptions withMount(boolean value) {
        return new ReplicationOptions(parallelism, chunkSize, value, progressInterval);
    }

    public ReplicationOptions withProgressInterval(long value) {
        return new ReplicationOptions(parallelism, chunkSize, mount, value);
    }
}
