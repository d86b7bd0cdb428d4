package io.fleetform.provider.registry.image;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A parsed image reference such as {@code 127.0.0.1:5001/mt2/gamesvr:1.4@sha256:...}, following the
 * rules of the Docker CLI so that a reference copied from a terminal means the same thing here: the
 * first path component is a registry only if it contains a dot or a colon or is {@code localhost};
 * otherwise the registry is Docker Hub and single-component names live under {@code library/}.
 */
public record ImageReference(String registry, String repository, Optional<String> tag, Optional<Digest> digest) {

    public static final String DOCKER_HUB = "docker.io";
    public static final String DEFAULT_TAG = "latest";

    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern HOST = Pattern.compile("(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
            + "(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]{1,5})?");

    public ImageReference {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(digest, "digest");
        if (!HOST.matcher(registry).matches()) {
            throw new IllegalArgumentException("invalid registry host \"" + registry + "\"");
        }
        checkRepository(repository);
        tag.ifPresent(ImageReference::checkTag);
    }

    /** Validates a repository name such as {@code mt2/gamesvr}; returns it for chaining. */
    public static String checkRepository(String repository) {
        for (String component : repository.split("/", -1)) {
            if (!COMPONENT.matcher(component).matches()) {
                throw new IllegalArgumentException("invalid repository name \"" + repository
                        + "\": components must be lowercase letters, digits and single separators (. _ __ -)");
            }
        }
        return repository;
    }

    /** Validates a tag; returns it for chaining. */
    public static String checkTag(String tag) {
        if (!TAG.matcher(tag).matches()) {
            throw new IllegalArgumentException("invalid tag \"" + tag
                    + "\": up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'");
        }
        return tag;
    }

    /** Parses a reference as the Docker CLI would; a missing tag and digest stays missing (see {@link #reference()}). */
    public static ImageReference parse(String text) {
        Objects.requireNonNull(text, "reference");
        try {
            return doParse(text.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid image reference \"" + text + "\": " + e.getMessage());
        }
    }

    private static ImageReference doParse(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty");
        }
        String rest = text;
        Optional<Digest> digest = Optional.empty();
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = Optional.of(Digest.parse(rest.substring(at + 1)));
            rest = rest.substring(0, at);
        }
        Optional<String> tag = Optional.empty();
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = Optional.of(rest.substring(colon + 1));
            rest = rest.substring(0, colon);
        }
        String registry = DOCKER_HUB;
        int slash = rest.indexOf('/');
        if (slash > 0 && looksLikeHost(rest.substring(0, slash))) {
            registry = rest.substring(0, slash);
            rest = rest.substring(slash + 1);
        }
        if (registry.equals(DOCKER_HUB) && rest.indexOf('/') < 0) {
            rest = "library/" + rest;
        }
        return new ImageReference(registry, rest, tag, digest);
    }

    private static boolean looksLikeHost(String first) {
        return first.contains(".") || first.contains(":") || first.equals("localhost")
                || !first.equals(first.toLowerCase(java.util.Locale.ROOT));
    }

    public static ImageReference of(String registry, String repository, String reference) {
        return Digest.isDigest(reference)
                ? new ImageReference(registry, repository, Optional.empty(), Optional.of(Digest.parse(reference)))
                : new ImageReference(registry, repository, Optional.of(reference), Optional.empty());
    }

    /**
     * What to ask the registry for: the digest when there is one (it pins the content, the tag is then
     * informational), else the tag, else {@code latest}.
     */
    public String reference() {
        return digest.map(Digest::toString).orElseGet(() -> tag.orElse(DEFAULT_TAG));
    }

    public ImageReference withTag(String newTag) {
        return new ImageReference(registry, repository, Optional.of(newTag), Optional.empty());
    }

    public ImageReference withDigest(Digest newDigest) {
        return new ImageReference(registry, repository, tag, Optional.of(newDigest));
    }

    public ImageReference withRepository(String newRepository) {
        return new ImageReference(registry, newRepository, tag, digest);
    }

    @Override
    public String toString() {
        return registry + "/" + repository + tag.map(t -> ":" + t).orElse("") + digest.map(d -> "@" + d).orElse("");
    }
}
