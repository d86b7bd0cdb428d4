package io.fleetform.provider.registry.auth;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads the credentials part of a Docker {@code config.json}. The file is full of secrets, so no
 * message produced here quotes its content: parse errors give a line and column only.
 */
final class DockerConfigFile {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> DOCKER_HUB_ALIASES =
            Set.of("docker.io", "index.docker.io", "registry-1.docker.io", "index.docker.io/v1");

    private final Path file;
    private final JsonNode root;

    private DockerConfigFile(Path file, JsonNode root) {
        this.file = file;
        this.root = root;
    }

    static DockerConfigFile read(Path file) {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new DockerConfigFile(file, JSON.createObjectNode());
        } catch (IOException e) {
            throw new CredentialsException("cannot read docker config " + file + ": " + e.getClass().getSimpleName());
        }
        try {
            JsonNode root = JSON.readTree(content);
            return new DockerConfigFile(file, root == null ? JSON.createObjectNode() : root);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new CredentialsException("docker config " + file + " is not valid JSON"
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        } catch (IOException e) {
            throw new CredentialsException("cannot parse docker config " + file);
        }
    }

    Credentials lookup(String registryHost) {
        String wanted = normalise(registryHost);
        String origin = "docker config " + file;
        JsonNode entry = null;
        String entryKey = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("auths").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (normalise(e.getKey()).equals(wanted)) {
                entry = e.getValue();
                entryKey = e.getKey();
                break;
            }
        }
        String where = "entry \"" + entryKey + "\" of " + origin;
        if (entry != null && entry.hasNonNull("auth") && !entry.get("auth").asText().isEmpty()) {
            return decodeAuth(entry.get("auth").asText(), where);
        }
        if (entry != null && entry.hasNonNull("username") && entry.hasNonNull("password")) {
            return new Credentials.Basic(entry.get("username").asText(), Secret.of(entry.get("password").asText()), where);
        }
        if (entry != null && entry.hasNonNull("registrytoken")) {
            return new Credentials.BearerToken(Secret.of(entry.get("registrytoken").asText()), where);
        }
        if (entry != null && entry.hasNonNull("identitytoken")) {
            throw new CredentialsException(where + " holds an identity token (OAuth refresh token), which is not"
                    + " supported; log in with a username and password or give the credentials directly");
        }
        String helper = helperFor(registryHost, entry != null);
        if (helper != null) {
            throw new CredentialsException(origin + " keeps the credentials for " + registryHost
                    + " in the credential helper docker-credential-" + helper + ", which is not run by this client;"
                    + " add an \"auth\" entry or give the credentials directly");
        }
        return new Credentials.Anonymous(origin + " has no credentials for " + registryHost);
    }

    private String helperFor(String registryHost, boolean emptyEntryPresent) {
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("credHelpers").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (normalise(e.getKey()).equals(normalise(registryHost))) {
                return e.getValue().asText();
            }
        }
        // Docker writes an empty "auths" entry for hosts whose secret went to the default store.
        String store = root.path("credsStore").asText("");
        return emptyEntryPresent && !store.isEmpty() ? store : null;
    }

    private static Credentials decodeAuth(String auth, String where) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new CredentialsException("\"auth\" in " + where + " is not valid base64");
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            throw new CredentialsException("\"auth\" in " + where + " does not decode to user:password");
        }
        return new Credentials.Basic(decoded.substring(0, colon), Secret.of(decoded.substring(colon + 1)), where);
    }

    /** Docker accepts keys written as URLs ({@code https://host/v1/}) as well as bare hosts. */
    static String normalise(String key) {
        String k = key.trim().toLowerCase(Locale.ROOT);
        int scheme = k.indexOf("://");
        if (scheme >= 0) {
            k = k.substring(scheme + 3);
        }
        int slash = k.indexOf('/');
        if (slash >= 0) {
            k = k.substring(0, slash);
        }
        return DOCKER_HUB_ALIASES.contains(k) ? "docker.io" : k;
    }
}
