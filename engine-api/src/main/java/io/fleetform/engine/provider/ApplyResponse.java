package io.fleetform.engine.provider;

import java.util.List;
import java.util.Map;

/**
 * @param attributes what to record in the state (desired attributes plus what the provider
 *                   learnt, such as an ID); ignored for DELETE
 * @param warnings   things the user should know that did not stop the change
 */
public record ApplyResponse(Map<String, Object> attributes, List<String> warnings) {
    public ApplyResponse {
        attributes = Map.copyOf(attributes);
        warnings = List.copyOf(warnings);
    }

    public static ApplyResponse deleted() {
        return new ApplyResponse(Map.of(), List.of());
    }
}
