package io.fleetform.provider.registry;

import io.fleetform.engine.provider.RetryPolicy;
import io.fleetform.provider.registry.auth.AuthChallenge;
import io.fleetform.provider.registry.auth.Credentials;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;

/**
 * Sends {@link Call}s to one registry: attaches credentials, answers one authentication challenge
 * per call, and retries transient failures. It returns error responses rather than throwing them,
 * because only the caller knows whether a 404 means "missing tag" or "blob not there yet".
 */
final class Transport {

    private final RegistryEndpoint endpoint;
    private final HttpExchange http;
    private final RetryPolicy retry;
    private final Authenticator auth;

    Transport(RegistryEndpoint endpoint, HttpExchange http, RetryPolicy retry, Credentials credentials) {
        this.endpoint = endpoint;
        this.http = http;
        this.retry = retry;
        this.auth = new Authenticator(credentials.forRegistry(endpoint.host()), new TokenService(this));
    }

    RegistryEndpoint endpoint() {
        return endpoint;
    }

    String registry() {
        return endpoint.host();
    }

    RetryPolicy retryPolicy() {
        return retry;
    }

    Credentials credentials() {
        return auth.credentials();
    }

    /** Authenticated, retried. The response may be an error status; a dead connection throws. */
    Response send(Call call) {
        return withRetries(call, () -> sendAuthenticated(call));
    }

    /** Retried but never authenticated: for token services and redirects to other hosts. */
    Response sendAnonymous(Call call) {
        return withRetries(call, () -> sendOnce(call, null));
    }

    /** Authenticated but not retried, for callers that retry a whole multi-request sequence themselves. */
    Response sendOnceAuthenticated(Call call) throws IOException {
        return sendAuthenticated(call);
    }

    private Response sendAuthenticated(Call call) throws IOException {
        String authorization = auth.authorizationFor(call.scope(), call.operation());
        Response response = sendOnce(call, authorization);
        if (response.status() == 401 && call.replayable()) {
            String challenge = String.join(", ", response.headers().allValues("WWW-Authenticate"));
            var retryWith = auth.answer(challenge, call.scope(), authorization, call.operation());
            if (retryWith.isPresent()) {
                response.discard();
                response = sendOnce(call, retryWith.get());
            }
        }
        return response;
    }

    private Response sendOnce(Call call, String authorization) throws IOException {
        return http.send(call, authorization);
    }

    /**
     * Retries within the policy: at most {@code maxAttempts} tries, none started after its deadline
     * (a registry that answers 503 with {@code Retry-After: 30} forever costs the deadline, not
     * attempts times thirty seconds).
     */
    private Response withRetries(Call call, Attempt attempt) {
        long started = System.nanoTime();
        for (int n = 1; ; n++) {
            Response response;
            try {
                response = attempt.run();
            } catch (IOException e) {
                if (e instanceof InterruptedIOException && !(e instanceof SocketTimeoutException)) {
                    throw unavailable(call, 0, List.of(), n, "interrupted", e);
                }
                if (!call.replayable() || !retry.allowsAnother(n, started)) {
                    throw unavailable(call, 0, List.of(), n, describe(e), e);
                }
                pause(call, n, retry.backoff(n, null, started));
                continue;
            }
            if (isTransient(response.status()) && call.replayable() && retry.allowsAnother(n, started)) {
                Duration after = retryAfter(response);
                response.discard();
                pause(call, n, retry.backoff(n, after, started));
                continue;
            }
            return response.withAttempts(n);
        }
    }

    private void pause(Call call, int attempt, Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(call, 0, List.of(), attempt, "interrupted", e);
        }
    }

    static boolean isTransient(int status) {
        return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
    }

    private static Duration retryAfter(Response response) {
        return response.header("Retry-After").map(v -> {
            try {
                return Duration.ofSeconds(Long.parseLong(v.trim()));
            } catch (NumberFormatException e) {
                return null; // HTTP-date form: fall back to our own backoff
            }
        }).orElse(null);
    }

    /** Turns an unexpected response into the exception a user should see. */
    RegistryException failure(Call call, Response response) {
        int status = response.status();
        List<RegistryError> errors = response.errors();
        response.discard();
        if (status == 401 || status == 403) {
            boolean insufficientScope = AuthChallenge.parse(String.join(", ", response.headers().allValues("WWW-Authenticate")))
                    .stream().anyMatch(c -> c instanceof AuthChallenge.Bearer b && b.error().equals("insufficient_scope"));
            // A token that authenticates but lacks the scope is a permission problem, not a wrong password.
            return authFailure(call.operation(), status, status == 403 || insufficientScope, errors, "");
        }
        if (isTransient(status)) {
            return unavailable(call, status, errors, response.attempts(),
                    RegistryException.statusAndErrors(status, errors), null);
        }
        return new RegistryProtocolException(registry(), call.operation(), status, errors,
                call.operation() + " failed: " + RegistryException.statusAndErrors(status, errors));
    }

    AuthenticationException authFailure(String operation, int status, boolean denied, List<RegistryError> errors,
            String via) {
        Credentials used = auth.credentials();
        String what = denied ? "access denied" : "authentication failed";
        String hint;
        if (denied) {
            hint = "the account is not allowed to do this";
        } else if (used instanceof Credentials.Anonymous) {
            hint = "this registry requires credentials";
        } else if (used instanceof Credentials.Basic) {
            hint = "check the username and password";
        } else {
            hint = "the token was rejected; it may be wrong or expired";
        }
        return new AuthenticationException(registry(), operation, status, errors,
                what + via + " (" + RegistryException.statusAndErrors(status, errors) + ") while " + operation
                        + "; used " + used.describe() + ": " + hint, used.describe());
    }

    RegistryUnavailableException unavailable(Call call, int status, List<RegistryError> errors, int attempts,
            String reason, Throwable cause) {
        return new RegistryUnavailableException(registry(), call.operation(), status, errors, attempts,
                "unavailable while " + call.operation() + ": " + reason
                        + (attempts > 1 ? " (gave up after " + attempts + " attempts)" : ""), cause);
    }

    static String describe(IOException e) {
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        if (e instanceof SocketTimeoutException) {
            return "timed out";
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    @FunctionalInterface
    private interface Attempt {
        Response run() throws IOException;
    }
}
