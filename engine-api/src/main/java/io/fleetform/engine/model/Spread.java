package io.fleetform.engine.model;

/** How instances of one service are kept apart. */
public enum Spread {
    HOST, RACK, NONE
}
