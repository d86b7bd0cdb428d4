package io.fleetform.engine.provider;

import io.fleetform.engine.state.ResourceState;
import java.util.List;

/**
 * Objects carrying this fleet's identity that are neither in the state nor declared: each as the
 * state entry a DELETE needs (what was read of it, and how to reach it).
 */
public record LeftoversResponse(List<ResourceState> leftovers) {
    public static final LeftoversResponse NONE = new LeftoversResponse(List.of());

    public LeftoversResponse {
        leftovers = List.copyOf(leftovers);
    }
}
