package io.fleetform.engine.model;

import java.util.List;

/** What protects a resource from the plan: user intent that outlives the block itself. */
public record Lifecycle(boolean preventDestroy, List<String> ignoreChanges, boolean createBeforeDestroy,
        boolean keepDataOnReplace) {
    public static final Lifecycle DEFAULT = new Lifecycle(false, List.of(), false, false);

    public Lifecycle {
        ignoreChanges = List.copyOf(ignoreChanges);
    }

    // Written out, for the reason Cpu's is.
    @Override
    public boolean equals(Object other) {
        return other instanceof Lifecycle o && o.preventDestroy == preventDestroy
                && o.createBeforeDestroy == createBeforeDestroy
                && o.keepDataOnReplace == keepDataOnReplace && java.util.Objects.equals(o.ignoreChanges, ignoreChanges);
    }
}
