package io.fleetform.engine.model;

/** A data disk: its quota, where it is mounted, and whether it survives a replace. */
public record Disk(long sizeBytes, String mountPath, boolean keepOnReplace) {

    // Written out, for the reason Cpu's is.
    @Override
    public boolean equals(Object other) {
        return other instanceof Disk o && o.sizeBytes == sizeBytes && o.keepOnReplace == keepOnReplace
                && java.util.Objects.equals(o.mountPath, mountPath);
    }
}
