package io.fleetform.engine.provider;

import java.util.Map;
import java.util.Optional;

/** @param attributes what the resource looks like now; empty when it no longer exists */
public record ReadResponse(Optional<Map<String, Object>> attributes) {
    public static ReadResponse gone() {
        return new ReadResponse(Optional.empty());
    }

    public static ReadResponse of(Map<String, Object> attributes) {
        return new ReadResponse(Optional.of(attributes));
    }
}
