package io.fleetform.engine.model;

import java.util.Optional;

/** How a service's instances are networked; {@code sriov} is present exactly when the mode is SRIOV. */
public record Network(NetworkMode mode, Optional<Sriov> sriov, boolean fixedIp) {

    // Written out, for the reason Cpu's is.
    @Override
    public boolean equals(Object other) {
        return other instanceof Network o && o.mode == mode && o.fixedIp == fixedIp
                && java.util.Objects.equals(o.sriov, sriov);
    }
}
