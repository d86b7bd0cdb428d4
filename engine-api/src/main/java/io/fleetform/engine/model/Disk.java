package io.fleetform.engine.model;

import java.util.Objects;

/** A data disk: its quota, where it is mounted, and whether it survives a replace. */
public record Disk(long sizeBytes, String mountPath, boolean keepOnReplace) {
    // equals and hashCode by hand, as a record's own would be (the same components, the same hash): the
    // record's are made at run time on first use, ~1 ms of a short command's start each (RecordMethodsTest).
    @Override
    public boolean equals(Object other) {
        return other == this || other instanceof Disk o && sizeBytes == o.sizeBytes
                && Objects.equals(mountPath, o.mountPath) && keepOnReplace == o.keepOnReplace;
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Long.hashCode(sizeBytes);
        h = 31 * h + Objects.hashCode(mountPath);
        h = 31 * h + Boolean.hashCode(keepOnReplace);
        return h;
    }
}
