package io.fleetform.provider.registry;

import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of a paginated listing: tags of a repository, or repositories of a registry.
 *
 * @param repository the repository whose tags these are; empty for a repository listing
 * @param next       where the registry said the following page is ({@code Link: <...>; rel="next"})
 */
public record Page(Kind kind, String repository, List<String> items, Optional<URI> next) {

    public enum Kind { TAGS, REPOSITORIES }

    public Page {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(repository, "repository");
        items = List.copyOf(items);
        Objects.requireNonNull(next, "next");
    }

    public boolean hasNext() {
        return next.isPresent();
    }
}
