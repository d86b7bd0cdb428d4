package io.fleetform.provider.registry.image;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A content digest such as {@code sha256:9f86d0...}. Content addressing is the only integrity
 * guarantee the registry protocol gives, so every digest is validated on construction: a malformed
 * one would otherwise surface much later as a confusing 404.
 */
public record Digest(String algorithm, String hex) {

    private static final Pattern HEX = Pattern.compile("[a-f0-9]+");

    public Digest {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(hex, "hex");
        int expected = switch (algorithm) {
            case "sha256" -> 64;
            case "sha512" -> 128;
            default -> throw new IllegalArgumentException(
                    "unsupported digest algorithm \"" + algorithm + "\" (expected sha256 or sha512)");
        };
        if (hex.length() != expected || !HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException("invalid " + algorithm + " digest \"" + hex
                    + "\": expected " + expected + " lowercase hex characters");
        }
    }

    /** Parses {@code algorithm:hex}. */
    public static Digest parse(String text) {
        Objects.requireNonNull(text, "digest");
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("invalid digest \"" + text + "\": expected algorithm:hex");
        }
        return new Digest(text.substring(0, colon), text.substring(colon + 1));
    }

    /** True for strings that look like a digest; used to tell a tag from a digest reference. */
    public static boolean isDigest(String text) {
        return text != null && text.indexOf(':') > 0;
    }

    public static Digest sha256(byte[] content) {
        return new Digest("sha256", HexFormat.of().formatHex(newSha256().digest(content)));
    }

    /** A fresh SHA-256 hasher, for digesting content that is streamed rather than held in memory. */
    public static MessageDigest newSha256() {
        return newHasher("sha256");
    }

    /** A fresh hasher for this digest's algorithm. */
    public MessageDigest newHasher() {
        return newHasher(algorithm);
    }

    /** Builds a digest of the same algorithm from a finished hasher. */
    public static Digest of(String algorithm, MessageDigest finished) {
        return new Digest(algorithm, HexFormat.of().formatHex(finished.digest()));
    }

    /** The digest of {@code content} computed with this digest's algorithm. */
    public Digest recompute(byte[] content) {
        MessageDigest hasher = newHasher();
        hasher.update(content);
        return of(algorithm, hasher);
    }

    private static MessageDigest newHasher(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm.equals("sha512") ? "SHA-512" : "SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK without " + algorithm, e);
        }
    }

    // Written out, with the values a record's generated methods give (31 * h + the next component's
    // hash): the generated ones are linked through ObjectMethods at their first call, a method-handle
    // tree that cost every apply's start a few per cent of its main thread.
    @Override
    public boolean equals(Object o) {
        return o instanceof Digest other && algorithm.equals(other.algorithm) && hex.equals(other.hex);
    }

    @Override
    public int hashCode() {
        return 31 * algorithm.hashCode() + hex.hashCode();
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }
}
