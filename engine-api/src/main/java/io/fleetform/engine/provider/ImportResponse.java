package io.fleetform.engine.provider;

import java.util.Map;
import java.util.Optional;

/** @param attributes the object's attributes, or empty if there is no such object */
public record ImportResponse(Optional<Map<String, Object>> attributes) {
}
