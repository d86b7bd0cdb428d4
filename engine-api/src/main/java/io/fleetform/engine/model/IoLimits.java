package io.fleetform.engine.model;

/** IO caps on the data disk; 0 means no cap. */
public record IoLimits(long readBytesPerSecond, long writeBytesPerSecond, long readIops, long writeIops) {
    // equals and hashCode by hand, as a record's own would be (the same components, the same hash): the
    // record's are made at run time on first use, ~1 ms of a short command's start each (RecordMethodsTest).
    @Override
    public boolean equals(Object other) {
        return other == this || other instanceof IoLimits o && readBytesPerSecond == o.readBytesPerSecond
                && writeBytesPerSecond == o.writeBytesPerSecond && readIops == o.readIops
                && writeIops == o.writeIops;
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Long.hashCode(readBytesPerSecond);
        h = 31 * h + Long.hashCode(writeBytesPerSecond);
        h = 31 * h + Long.hashCode(readIops);
        h = 31 * h + Long.hashCode(writeIops);
        return h;
    }
}
