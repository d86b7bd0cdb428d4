package io.fleetform.engine.provider;

import java.util.Map;

/** @param attributes what to record at the new address (the prior ones, or re-keyed ones) */
public record RenameResponse(Map<String, Object> attributes) {
    public RenameResponse {
        attributes = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(attributes));
    }
}
