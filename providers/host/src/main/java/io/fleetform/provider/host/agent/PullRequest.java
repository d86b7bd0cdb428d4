package io.fleetform.provider.host.agent;

/**
 * Body of {@code POST /v1/images/pull}.
 *
 * @param image    reference, e.g. {@code registry.example:5000/game/logic:1.4.2} or {@code ...@sha256:...}
 * @param username registry user, or null for anonymous
 * @param password registry password or token (never echoed or logged)
 */
public record PullRequest(String image, String username, String password) {
    public PullRequest {
        if (image == null || image.isBlank() || image.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("image is required and must not contain whitespace");
        }
        if ((username == null) != (password == null)) {
            throw new IllegalArgumentException("username and password go together");
        }
    }

    public static PullRequest of(String image) {
        return new PullRequest(image, null, null);
    }

    @Override
    public String toString() {
        return "PullRequest[image=" + image + ", username=" + username + ", password=" + (password == null ? null : "***")
                + "]";
    }
}
