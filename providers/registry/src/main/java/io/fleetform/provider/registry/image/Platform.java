package io.fleetform.provider.registry.image;

import java.util.Objects;

/** The platform an image manifest inside an index is built for. */
public record Platform(String os, String architecture, String variant) {

    public Platform {
        Objects.requireNonNull(os, "os");
        Objects.requireNonNull(architecture, "architecture");
        variant = variant == null ? "" : variant;
    }

    public static Platform of(String os, String architecture) {
        return new Platform(os, architecture, "");
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant.isEmpty() ? "" : "/" + variant);
    }
}
