package io.fleetform.engine.model;

/** IO caps on the data disk; 0 means no cap. */
public record IoLimits(long readBytesPerSecond, long writeBytesPerSecond, long readIops, long writeIops) {

    // Written out, for the reason Cpu's is.
    @Override
    public boolean equals(Object other) {
        return other instanceof IoLimits o && o.readBytesPerSecond == readBytesPerSecond
                && o.writeBytesPerSecond == writeBytesPerSecond
                && o.readIops == readIops && o.writeIops == writeIops;
    }
}
