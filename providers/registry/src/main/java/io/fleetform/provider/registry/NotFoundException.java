package io.fleetform.provider.registry;

import java.util.List;

/** The tag, manifest, blob or repository does not exist on the registry. */
public final class NotFoundException extends RegistryException {

    /** What was missing. */
    public enum Kind { TAG, MANIFEST, BLOB, REPOSITORY, UPLOAD }

    private final Kind kind;

    NotFoundException(String registry, String operation, Kind kind, List<RegistryError> errors, String detail) {
        super(registry, operation, 404, errors, detail + codes(errors), null);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
