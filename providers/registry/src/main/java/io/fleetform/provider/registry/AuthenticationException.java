package io.fleetform.provider.registry;

import java.util.List;

/**
 * The registry (or its token service) refused the credentials (401) or the access (403). The
 * message says which credential source was used, so that a user can tell a wrong password from a
 * missing permission, and never contains the secret itself.
 */
public final class AuthenticationException extends RegistryException {

    private final String credentialSource;

    AuthenticationException(String registry, String operation, int status, List<RegistryError> errors,
            String detail, String credentialSource) {
        super(registry, operation, status, errors, detail, null);
        this.credentialSource = credentialSource;
    }

    /** E.g. {@code basic credentials for user "ci" from docker config /home/ci/.docker/config.json}. */
    public String credentialSource() {
        return credentialSource;
    }
}
