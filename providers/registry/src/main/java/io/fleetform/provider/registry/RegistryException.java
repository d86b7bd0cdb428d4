package io.fleetform.provider.registry;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A failed registry call, described for the person running Fleetform: the message names the
 * registry, what was being done, the HTTP status and the registry's own error codes. Never carries
 * credentials. Subtypes let callers react (e.g. create what is {@link NotFoundException missing}).
 */
public abstract sealed class RegistryException extends RuntimeException
        permits NotFoundException, AuthenticationException, DigestMismatchException,
        RegistryUnavailableException, RegistryProtocolException {

    private final String registry;
    private final String operation;
    private final int status;
    private final List<RegistryError> errors;

    RegistryException(String registry, String operation, int status, List<RegistryError> errors, String detail,
            Throwable cause) {
        super("registry " + registry + ": " + detail, cause);
        this.registry = Objects.requireNonNull(registry);
        this.operation = Objects.requireNonNull(operation);
        this.status = status;
        this.errors = List.copyOf(errors);
    }

    /** {@code host[:port]} of the registry that failed. */
    public String registry() {
        return registry;
    }

    /** What was being done, e.g. {@code reading manifest "1.4" of repository "mt2/gamesvr"}. */
    public String operation() {
        return operation;
    }

    /** The HTTP status, or 0 when no response was received. */
    public int status() {
        return status;
    }

    /** The registry's error codes, possibly empty. */
    public List<RegistryError> errors() {
        return errors;
    }

    public boolean hasErrorCode(String code) {
        return errors.stream().anyMatch(e -> e.code().equals(code));
    }

    /** {@code " (CODE1, CODE2)"} or empty: the short form used in messages. */
    static String codes(List<RegistryError> errors) {
        return errors.isEmpty() ? "" : errors.stream().map(RegistryError::code).distinct()
                .collect(Collectors.joining(", ", " (", ")"));
    }

    /** {@code "HTTP 400, CODE: message; ..."}: the long form, for errors that need the registry's words. */
    static String statusAndErrors(int status, List<RegistryError> errors) {
        return "HTTP " + status + (errors.isEmpty() ? "" : errors.stream().map(RegistryError::toString)
                .collect(Collectors.joining("; ", ", ", "")));
    }
}
