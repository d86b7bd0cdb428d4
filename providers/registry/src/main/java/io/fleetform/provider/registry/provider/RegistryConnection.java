package io.fleetform.provider.registry.provider;

import io.fleetform.engine.model.Registry;
import io.fleetform.provider.registry.RegistryClient;
import io.fleetform.provider.registry.RegistryEndpoint;
import io.fleetform.engine.provider.RetryPolicy;
import io.fleetform.provider.registry.auth.Credentials;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach one registry of the fleet and with which credentials, in a form that survives a
 * round trip through the state: everything but the secret itself is a plain attribute. Apply and
 * refresh read the secret again from where the fleet took it ({@code env NAME} or
 * {@code secret NAME}, recorded in {@code auth_source}), so a rotated token is not a change; only a
 * literal in the fleet files travels in the resource, as a sensitive attribute (for apply).
 *
 * <p>Credentials, in order: the registry's {@code auth} (a bearer token, or a password when
 * {@code username} is set), else the Docker {@code config.json} named by the run's environment
 * ({@code DOCKER_CONFIG}, else {@code $HOME/.docker}), else anonymous. Nothing is read from the
 * JVM's own environment or system properties.
 *
 * @param name       the registry's name in the fleet ({@code central})
 * @param url        as written in the fleet: {@code host[:port]}, optionally with a scheme
 * @param authSource where the fleet took the secret from ({@code env REGISTRY_TOKEN}); empty without auth
 * @param auth       the secret in clear, when known; empty in anything built from the state
 */
record RegistryConnection(String name, String url, Optional<String> username, Optional<String> authSource,
                          Optional<String> auth, boolean insecure) {

    static RegistryConnection of(Registry registry) {
        Optional<String> secret = registry.auth().filter(io.fleetform.engine.model.Secret::available)
                .map(io.fleetform.engine.model.Secret::value).filter(v -> !v.isEmpty());
        return new RegistryConnection(registry.name(), registry.url(), registry.username(),
                registry.auth().map(io.fleetform.engine.model.Secret::source), secret, registry.insecure());
    }

    /** {@code host[:port]}: the registry's name in image references and messages. */
    String host() {
        String u = url.trim();
        int scheme = u.indexOf("://");
        if (scheme >= 0) {
            u = u.substring(scheme + 3);
        }
        int slash = u.indexOf('/');
        return slash >= 0 ? u.substring(0, slash) : u;
    }

    /** HTTPS unless the URL says otherwise, the registry is {@code insecure}, or it is on loopback. */
    RegistryEndpoint endpoint() {
        String u = url.trim();
        String host = host();
        String scheme;
        if (u.startsWith("http://")) {
            scheme = "http";
        } else if (u.startsWith("https://")) {
            scheme = "https";
        } else if (insecure) {
            scheme = "http";
        } else {
            return RegistryEndpoint.of(host);
        }
        int start = u.indexOf("://") + 3;
        int slash = u.indexOf('/', start);
        String path = slash >= 0 ? u.substring(slash) : "";
        return RegistryEndpoint.of(host, URI.create(scheme + "://" + host + path));
    }

    /** {@code registry "central" (registry.example.internal)}, for messages. */
    String describe() {
        return "registry \"" + name + "\" (" + host() + ")";
    }

    RegistryClient client(Map<String, String> environment, RetryPolicy retry) {
        return RegistryClient.builder(endpoint()).credentials(credentials(environment)).retryPolicy(retry).build();
    }

    /**
     * This connection with the secret that {@link #credentials} would use in {@code environment}: the one from the
     * fleet, or else the one read again from its source. Two connections to one registry with one account are then
     * equal whether they came from the fleet or from a resource's attributes (which leave a re-readable secret out).
     */
    RegistryConnection withSecretFrom(Map<String, String> environment) {
        Optional<String> secret = auth.or(() -> authSource.flatMap(s -> readSource(s, environment)))
                .filter(v -> !v.isEmpty());
        return new RegistryConnection(name, url, username, authSource, secret, insecure);
    }

    Credentials credentials(Map<String, String> environment) {
        Optional<String> secret = auth.or(() -> authSource.flatMap(s -> readSource(s, environment)))
                .filter(v -> !v.isEmpty());
        if (secret.isPresent()) {
            return username.isPresent() ? Credentials.basic(username.get(), secret.get())
                    : Credentials.bearer(secret.get());
        }
        return dockerConfig(environment).map(Credentials::dockerConfig).orElseGet(Credentials::anonymous);
    }

    /** The Docker CLI's lookup, from the run's environment only. */
    static Optional<Path> dockerConfig(Map<String, String> environment) {
        String dir = environment.get("DOCKER_CONFIG");
        if (dir != null && !dir.isBlank()) {
            return Optional.of(Path.of(dir, "config.json"));
        }
        String home = environment.get("HOME");
        if (home != null && !home.isBlank()) {
            return Optional.of(Path.of(home, ".docker", "config.json"));
        }
        return Optional.empty();
    }

    static boolean rereadable(String source) {
        return source.startsWith("env ") || source.startsWith("secret ");
    }

    /**
     * Reads a secret again from where the fleet took it, as the fleet's {@code env()} and
     * {@code secret()} do; empty for a literal (which a refresh cannot recover).
     */
    static Optional<String> readSource(String source, Map<String, String> environment) {
        if (source.startsWith("env ")) {
            return Optional.ofNullable(environment.get(source.substring(4)));
        }
        if (source.startsWith("secret ")) {
            String name = source.substring(7);
            String variable = "FLEETFORM_SECRET_" + name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
            if (environment.containsKey(variable)) {
                return Optional.of(environment.get(variable));
            }
            String dir = environment.get("FLEETFORM_SECRETS_DIR");
            if (dir != null && name.matches("[A-Za-z0-9._-]+") && !name.startsWith(".")) {
                Path file = Path.of(dir, name);
                try {
                    return Files.isRegularFile(file) ? Optional.of(Files.readString(file).strip()) : Optional.empty();
                } catch (IOException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The attributes that describe this connection, named {@code <prefix>} (the registry's name),
     * {@code <prefix>_url}, and, when set, {@code _username}, {@code _auth_source}, {@code _insecure}
     * and the sensitive {@code _auth}.
     */
    void putAttributes(String prefix, Map<String, Object> attributes, java.util.Set<String> sensitive) {
        attributes.put(prefix, name);
        attributes.put(prefix + "_url", url);
        username.ifPresent(u -> attributes.put(prefix + "_username", u));
        authSource.ifPresent(s -> attributes.put(prefix + "_auth_source", s));
        if (insecure) {
            attributes.put(prefix + "_insecure", true);
        }
        // A secret from env()/secret() is read again where it is needed, so that rotating a token
        // is not a change; only a literal in the fleet files (already flagged) has to travel here.
        if (auth.isPresent() && !authSource.map(RegistryConnection::rereadable).orElse(false)) {
            attributes.put(prefix + "_auth", auth.get());
            sensitive.add(prefix + "_auth");
        }
    }

    /**
     * The connection described by {@link #putAttributes}; the secret is taken only from
     * {@code clearSecrets} (a desired resource), never from a state's hash.
     */
    static RegistryConnection fromAttributes(String prefix, Map<String, Object> attributes, boolean clearSecrets) {
        Object auth = clearSecrets ? attributes.get(prefix + "_auth") : null;
        return new RegistryConnection(String.valueOf(attributes.get(prefix)), String.valueOf(attributes.get(prefix + "_url")),
                Optional.ofNullable((String) attributes.get(prefix + "_username")),
                Optional.ofNullable((String) attributes.get(prefix + "_auth_source")),
                Optional.ofNullable(auth).map(String::valueOf).filter(v -> !v.isEmpty()),
                Boolean.TRUE.equals(attributes.get(prefix + "_insecure")));
    }

    static Map<String, Object> without(Map<String, Object> attributes, java.util.Set<String> names) {
        Map<String, Object> copy = new LinkedHashMap<>(attributes);
        names.forEach(copy::remove);
        return copy;
    }

    // Written out, with the values the record's generated methods give (31 * h + the next component's
    // hash): the generated ones are linked through ObjectMethods at their first call, a method-handle
    // tree spun on the main thread of every apply (the session's clients are kept by connection).
    @Override
    public boolean equals(Object o) {
        return o instanceof RegistryConnection other && Objects.equals(name, other.name)
                && Objects.equals(url, other.url) && Objects.equals(username, other.username)
                && Objects.equals(authSource, other.authSource) && Objects.equals(auth, other.auth)
                && insecure == other.insecure;
    }

    @Override
    public int hashCode() {
        int h = Objects.hashCode(name);
        h = 31 * h + Objects.hashCode(url);
        h = 31 * h + Objects.hashCode(username);
        h = 31 * h + Objects.hashCode(authSource);
        h = 31 * h + Objects.hashCode(auth);
        return 31 * h + Boolean.hashCode(insecure);
    }

    @Override
    public String toString() {
        return "RegistryConnection[" + name + ", " + url + ", auth " + authSource.orElse("none") + "]";
    }
}
