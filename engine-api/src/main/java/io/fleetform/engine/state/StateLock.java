package io.fleetform.engine.state;

/** A held lock; closing it releases it. */
public interface StateLock extends AutoCloseable {
    LockInfo info();

    @Override
    void close() throws StateException;
}
