package io.fleetform.provider.registry.auth;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How to authenticate to a registry. {@link DockerConfig} is a lookup that resolves, per registry
 * host, to one of the other three; everything else is used as given.
 */
public sealed interface Credentials
        permits Credentials.Anonymous, Credentials.Basic, Credentials.BearerToken, Credentials.DockerConfig {

    /** The credentials to use for {@code registryHost} ({@code host[:port]}); never a {@link DockerConfig}. */
    Credentials forRegistry(String registryHost);

    /** Where these credentials come from, for error messages: names a user or a file, never a secret. */
    String describe();

    static Credentials anonymous() {
        return new Anonymous("");
    }

    static Credentials basic(String username, String password) {
        return new Basic(username, Secret.of(password), "");
    }

    static Credentials bearer(String token) {
        return new BearerToken(Secret.of(token), "");
    }

    static Credentials dockerConfig(Path configJson) {
        return new DockerConfig(configJson);
    }

    /** {@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}, as the Docker CLI looks it up. */
    static Credentials dockerConfig() {
        String dir = System.getenv("DOCKER_CONFIG");
        Path base = dir != null && !dir.isBlank() ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".docker");
        return new DockerConfig(base.resolve("config.json"));
    }

    /**
     * No credentials; a token service may still hand out anonymous pull tokens.
     *
     * @param origin why no credentials are used (e.g. a config file without an entry); empty when chosen
     */
    record Anonymous(String origin) implements Credentials {
        public Anonymous {
            Objects.requireNonNull(origin, "origin");
        }

        @Override
        public Credentials forRegistry(String registryHost) {
            return this;
        }

        @Override
        public String describe() {
            return "no credentials (anonymous)" + (origin.isEmpty() ? "" : ": " + origin);
        }
    }

    /**
     * Username and password, sent as HTTP basic auth or exchanged for a bearer token.
     *
     * @param origin where they were found (e.g. a config file); empty when given directly
     */
    record Basic(String username, Secret password, String origin) implements Credentials {
        public Basic {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
            Objects.requireNonNull(origin, "origin");
        }

        @Override
        public Credentials forRegistry(String registryHost) {
            return this;
        }

        @Override
        public String describe() {
            return "basic credentials for user \"" + username + "\"" + (origin.isEmpty() ? "" : " from " + origin);
        }
    }

    /** A ready-made bearer token (e.g. from a cloud provider's CLI), sent as is. */
    record BearerToken(Secret token, String origin) implements Credentials {
        public BearerToken {
            Objects.requireNonNull(token, "token");
            Objects.requireNonNull(origin, "origin");
        }

        @Override
        public Credentials forRegistry(String registryHost) {
            return this;
        }

        @Override
        public String describe() {
            return "a bearer token" + (origin.isEmpty() ? "" : " from " + origin);
        }
    }

    /** The {@code auths} section of a Docker {@code config.json}, looked up by registry host. */
    record DockerConfig(Path file) implements Credentials {
        public DockerConfig {
            Objects.requireNonNull(file, "file");
        }

        @Override
        public Credentials forRegistry(String registryHost) {
            return DockerConfigFile.read(file).lookup(registryHost);
        }

        @Override
        public String describe() {
            return "docker config " + file;
        }
    }
}
