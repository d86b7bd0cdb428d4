package io.fleetform.provider.registry.replication;

/**
 * Receives {@link ReplicationEvent}s. Called from the replicator's worker threads, concurrently
 * when blobs are copied in parallel, so implementations must be thread-safe and quick. A listener
 * that throws aborts the replication (which can then be resumed by running it again).
 */
@FunctionalInterface
public interface ReplicationListener {

    ReplicationListener NONE = event -> { };

    void onEvent(ReplicationEvent event);
}
