package io.fleetform.engine.resource;

import java.util.List;

/** The lifecycle settings a resource carries into the plan and the state. */
public record ResourceLifecycle(boolean preventDestroy, List<String> ignoreChanges, boolean createBeforeDestroy) {
    public static final ResourceLifecycle DEFAULT = new ResourceLifecycle(false, List.of(), false);

    public ResourceLifecycle {
        ignoreChanges = List.copyOf(ignoreChanges);
    }
}
