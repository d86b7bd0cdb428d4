package io.fleetform.engine.plan;

import io.fleetform.engine.address.ResourceAddress;
import java.util.List;

/** What refresh found changed outside Fleetform: a resource changed by hand, or removed. */
public record Drift(ResourceAddress address, String type, boolean deleted, List<AttributeChange> changes) {
    public Drift {
        changes = List.copyOf(changes);
    }
}
