package io.fleetform.engine.model;

import java.util.Optional;

/** How a service's instances are networked; {@code sriov} is present exactly when the mode is SRIOV. */
public record Network(NetworkMode mode, Optional<Sriov> sriov, boolean fixedIp) {
}
