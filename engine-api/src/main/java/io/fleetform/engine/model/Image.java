package io.fleetform.engine.model;

import io.fleetform.dsl.source.SourceSpan;
import java.util.List;
import java.util.Optional;

/**
 * An image: a repository in a registry, with a tag (resolved to a digest at plan time) or a
 * digest. Without a registry the image is one the target's Docker Engine already has (built
 * or imported locally), which is how the quickstart runs with nothing but dockerd.
 */
public record Image(String name, Optional<String> registry, String repository, Optional<String> tag, Optional<String> digest,
        List<String> replicateTo, boolean prepull, SourceSpan span) {
    public Image {
        replicateTo = List.copyOf(replicateTo);
    }

    public String reference() {
        return repository + digest.map(d -> "@" + d).orElse(":" + tag.orElse("latest"));
    }
}
