package io.fleetform.engine.model;

import java.util.Objects;
import java.util.Optional;

/** How a service's instances are networked; {@code sriov} is present exactly when the mode is SRIOV. */
public record Network(NetworkMode mode, Optional<Sriov> sriov, boolean fixedIp) {
    // equals and hashCode by hand, as a record's own would be (the same components, the same hash): the
    // record's are made at run time on first use, ~1 ms of a short command's start each (RecordMethodsTest).
    @Override
    public boolean equals(Object other) {
        return other == this || other instanceof Network o && Objects.equals(mode, o.mode)
                && Objects.equals(sriov, o.sriov) && fixedIp == o.fixedIp;
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Objects.hashCode(mode);
        h = 31 * h + Objects.hashCode(sriov);
        h = 31 * h + Boolean.hashCode(fixedIp);
        return h;
    }
}
