package io.fleetform.provider.registry;

import io.fleetform.provider.registry.auth.AuthChallenge;
import io.fleetform.provider.registry.auth.Credentials;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Chooses the {@code Authorization} header for a call. It learns the registry's scheme from the
 * first challenge, after which it authenticates up front (basic) or with a cached token per scope
 * (bearer), so that only the first call of each kind costs a 401 round trip.
 */
final class Authenticator {

    private final Credentials credentials;
    private final TokenService tokens;
    private final Map<String, TokenService.Token> tokenCache = new ConcurrentHashMap<>();
    private volatile AuthChallenge.Bearer bearer;
    private volatile boolean basicRequired;

    Authenticator(Credentials credentials, TokenService tokens) {
        this.credentials = credentials;
        this.tokens = tokens;
    }

    Credentials credentials() {
        return credentials;
    }

    /** The header to send, or null when nothing is known to be needed yet. */
    String authorizationFor(String scope, String operation) {
        if (credentials instanceof Credentials.BearerToken t) {
            return "Bearer " + t.token().reveal();
        }
        if (basicRequired && credentials instanceof Credentials.Basic b) {
            return basic(b);
        }
        AuthChallenge.Bearer known = bearer;
        if (known == null) {
            return null;
        }
        TokenService.Token cached = tokenCache.get(scope);
        if (cached != null && !cached.expired()) {
            return cached.header();
        }
        TokenService.Token fresh = tokens.fetch(known, scopes(scope), credentials, operation);
        tokenCache.put(scope, fresh);
        return fresh.header();
    }

    /**
     * Answers a 401 challenge: the header to retry with, or empty when retrying could not help
     * (nothing new to offer), in which case the 401 stands.
     */
    Optional<String> answer(String wwwAuthenticate, String scope, String sent, String operation) {
        if (credentials instanceof Credentials.BearerToken) {
            return Optional.empty();
        }
        for (AuthChallenge challenge : AuthChallenge.parse(wwwAuthenticate)) {
            if (challenge instanceof AuthChallenge.Bearer b) {
                bearer = b;
                // The registry's scopes are authoritative: a mount, for example, also needs pull on the source.
                List<String> wanted = b.scopes().isEmpty() ? scopes(scope) : b.scopes();
                TokenService.Token token = tokens.fetch(b, wanted, credentials, operation);
                tokenCache.put(scope, token);
                return token.header().equals(sent) ? Optional.empty() : Optional.of(token.header());
            }
            if (challenge instanceof AuthChallenge.Basic && credentials instanceof Credentials.Basic b) {
                basicRequired = true;
                String header = basic(b);
                return header.equals(sent) ? Optional.empty() : Optional.of(header);
            }
        }
        return Optional.empty();
    }

    static String basic(Credentials.Basic b) {
        String pair = b.username() + ":" + b.password().reveal();
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> scopes(String scope) {
        return scope.isBlank() ? List.of() : List.of(scope.trim().split("\\s+"));
    }
}
