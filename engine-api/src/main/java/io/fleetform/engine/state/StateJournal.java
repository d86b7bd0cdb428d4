package io.fleetform.engine.state;

import io.fleetform.engine.address.ResourceAddress;

/** Durable records of finished resources during an apply; each call returns once it is on disk. */
public interface StateJournal extends AutoCloseable {

    void put(ResourceState resource) throws StateException;

    void remove(ResourceAddress address) throws StateException;

    @Override
    void close() throws StateException;
}
