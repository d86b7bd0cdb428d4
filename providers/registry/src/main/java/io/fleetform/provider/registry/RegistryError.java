package io.fleetform.provider.registry;

import java.util.Objects;

/** One entry of a registry's error body, {@code {"errors":[{"code":"MANIFEST_UNKNOWN","message":...}]}}. */
public record RegistryError(String code, String message) {

    public RegistryError {
        Objects.requireNonNull(code, "code");
        message = message == null ? "" : message;
    }

    @Override
    public String toString() {
        return message.isEmpty() ? code : code + ": " + message;
    }
}
