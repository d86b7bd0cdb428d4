package io.fleetform.engine.model;

import java.util.List;
import java.util.Objects;

/** What protects a resource from the plan: user intent that outlives the block itself. */
public record Lifecycle(boolean preventDestroy, List<String> ignoreChanges, boolean createBeforeDestroy,
        boolean keepDataOnReplace) {
    public static final Lifecycle DEFAULT = new Lifecycle(false, List.of(), false, false);

    public Lifecycle {
        ignoreChanges = List.copyOf(ignoreChanges);
    }

    // equals and hashCode by hand, as a record's own would be (the same components, the same hash): the
    // record's are made at run time on first use, ~1 ms of a short command's start each (RecordMethodsTest).
    @Override
    public boolean equals(Object other) {
        return other == this || other instanceof Lifecycle o && preventDestroy == o.preventDestroy
                && Objects.equals(ignoreChanges, o.ignoreChanges)
                && createBeforeDestroy == o.createBeforeDestroy && keepDataOnReplace == o.keepDataOnReplace;
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Boolean.hashCode(preventDestroy);
        h = 31 * h + Objects.hashCode(ignoreChanges);
        h = 31 * h + Boolean.hashCode(createBeforeDestroy);
        h = 31 * h + Boolean.hashCode(keepDataOnReplace);
        return h;
    }
}
