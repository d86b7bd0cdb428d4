package io.fleetform.provider.host.agent;

import java.util.List;

/** A refusal the agent reports to its caller with an HTTP status; nothing was changed when it is thrown. */
final class ApiException extends RuntimeException {
    private final int status;
    private final String code;
    private final List<Conflict> conflicts;

    ApiException(int status, String code, String message, List<Conflict> conflicts) {
        super(message);
        this.status = status;
        this.code = code;
        this.conflicts = conflicts == null ? List.of() : List.copyOf(conflicts);
    }

    ApiException(int status, String code, String message) {
        this(status, code, message, List.of());
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, "bad_request", message);
    }

    static ApiException notFound(String message) {
        return new ApiException(404, "not_found", message);
    }

    static ApiException conflict(String message, List<Conflict> conflicts) {
        return new ApiException(409, "conflict", message, conflicts);
    }

    static ApiException conflict(Conflict c) {
        return new ApiException(409, "conflict", c.message(), List.of(c));
    }

    static ApiException unprocessable(String message) {
        return new ApiException(422, "unprocessable", message);
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    List<Conflict> conflicts() {
        return conflicts;
    }

    ApiError toError() {
        return new ApiError(code, getMessage(), conflicts.isEmpty() ? null : conflicts);
    }
}
