package io.fleetform.provider.registry;

import java.util.List;

/** The registry answered, but not as the protocol allows for this call (e.g. 400 MANIFEST_INVALID). */
public final class RegistryProtocolException extends RegistryException {

    RegistryProtocolException(String registry, String operation, int status, List<RegistryError> errors, String detail) {
        super(registry, operation, status, errors, detail, null);
    }
}
