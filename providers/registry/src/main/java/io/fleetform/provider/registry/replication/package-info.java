/**
 * Copying images between registries: {@link io.fleetform.provider.registry.replication.ImageReplicator}, its options,
 * progress events and result.
 */
package io.fleetform.provider.registry.replication;
