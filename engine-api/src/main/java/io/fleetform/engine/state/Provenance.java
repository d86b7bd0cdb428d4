package io.fleetform.engine.state;

import java.util.Objects;

/**
 * Where a fleet's files came from, recorded in saved plans and, per apply, in the state, so a
 * reviewer and an operator can tell which commit a change was made from.
 *
 * @param repository the repository's URL or path, credentials stripped (never a token or password)
 * @param commit     the full commit SHA
 * @param ref        the ref as asked for ({@code main}, {@code refs/pull/7/head}), or the branch checked out
 * @param author     the commit's author, {@code Name <email>}
 * @param path       the fleet's folder inside the repository ({@code ""} for its root)
 * @param dirty      true when the fleet was read from a working tree with uncommitted changes to its files
 */
public record Provenance(String repository, String commit, String ref, String author, String path, boolean dirty) {
    public Provenance {
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(commit, "commit");
        ref = ref == null ? "" : ref;
        author = author == null ? "" : author;
        path = path == null ? "" : path;
    }

    /** One line for people: {@code git@host:org/fleets.git main @ 1a2b3c4d5e6f (fleets/mt2) by Ann <a@x>}. */
    public String describe() {
        StringBuilder s = new StringBuilder(repository);
        if (!ref.isEmpty()) {
            s.append(' ').append(ref);
        }
        s.append(" @ ").append(commit, 0, Math.min(12, commit.length()));
        if (!path.isEmpty()) {
            s.append(" (").append(path).append(')');
        }
        if (!author.isEmpty()) {
            s.append(" by ").append(author);
        }
        if (dirty) {
            s.append(", with uncommitted changes");
        }
        return s.toString();
    }
}
