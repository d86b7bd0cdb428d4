package io.fleetform.engine.model;

/** A data disk: its quota, where it is mounted, and whether it survives a replace. */
public record Disk(long sizeBytes, String mountPath, boolean keepOnReplace) {
}
