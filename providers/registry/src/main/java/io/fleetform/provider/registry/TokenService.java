package io.fleetform.provider.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetform.provider.registry.auth.AuthChallenge;
import io.fleetform.provider.registry.auth.Credentials;
import io.fleetform.provider.registry.auth.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Exchanges credentials for a bearer token at the realm a registry names in its challenge. */
final class TokenService {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The distribution spec's default when a token service omits {@code expires_in}. */
    private static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);
    /** Renew a little early so that a token does not expire between check and use. */
    private static final Duration MARGIN = Duration.ofSeconds(10);

    private final Transport transport;

    TokenService(Transport transport) {
        this.transport = transport;
    }

    record Token(Secret value, Instant expiresAt) {
        String header() {
            return "Bearer " + value.reveal();
        }

        boolean expired() {
            return Instant.now().isAfter(expiresAt);
        }
    }

    Token fetch(AuthChallenge.Bearer challenge, List<String> scopes, Credentials credentials, String operation) {
        URI realm = URI.create(challenge.realm());
        String realmName = realm.getScheme() + "://" + realm.getRawAuthority() + realm.getRawPath();
        String via = " at token service " + realmName;
        if ("http".equals(realm.getScheme()) && "https".equals(transport.endpoint().baseUri().getScheme())
                && !(credentials instanceof Credentials.Anonymous)) {
            // A TLS registry pointing at a plaintext realm would leak the password to the network.
            throw transport.authFailure(operation, 401, false, List.of(new RegistryError("INSECURE_REALM",
                    "token realm is plain HTTP; credentials not sent")), via);
        }
        StringBuilder query = new StringBuilder();
        if (!challenge.service().isEmpty()) {
            query.append("service=").append(encode(challenge.service()));
        }
        for (String scope : scopes) {
            query.append(query.length() == 0 ? "" : "&").append("scope=").append(encode(scope));
        }
        String raw = challenge.realm();
        URI uri = URI.create(query.length() == 0 ? raw : raw + (raw.contains("?") ? "&" : "?") + query);
        Call call = Call.of("GET", uri, "", "requesting a token from " + realmName + " for " + operation);
        if (credentials instanceof Credentials.Basic b) {
            call = call.header("Authorization", Authenticator.basic(b));
        }
        Instant requested = Instant.now();
        try (Response response = transport.sendAnonymous(call)) {
            if (response.status() == 401 || response.status() == 403) {
                throw transport.authFailure(operation, response.status(), response.status() == 403, response.errors(), via);
            }
            if (!response.ok()) {
                throw transport.failure(call, response);
            }
            JsonNode body = JSON.readTree(response.bytes(1 << 20));
            String token = body.path("token").asText(body.path("access_token").asText(""));
            if (token.isEmpty()) {
                throw new RegistryProtocolException(transport.registry(), operation, response.status(), List.of(),
                        "token service " + realmName + " answered without a token while " + operation);
            }
            long seconds = body.path("expires_in").asLong(DEFAULT_LIFETIME.toSeconds());
            Duration lifetime = Duration.ofSeconds(Math.max(seconds, DEFAULT_LIFETIME.toSeconds()));
            return new Token(Secret.of(token), requested.plus(lifetime).minus(MARGIN));
        } catch (IOException e) {
            throw new RegistryProtocolException(transport.registry(), operation, 200, List.of(),
                    "token service " + realmName + " sent an unreadable answer while " + operation);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
