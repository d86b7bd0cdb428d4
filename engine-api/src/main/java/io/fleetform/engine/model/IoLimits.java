package io.fleetform.engine.model;

/** IO caps on the data disk; 0 means no cap. */
public record IoLimits(long readBytesPerSecond, long writeBytesPerSecond, long readIops, long writeIops) {
}
