package io.fleetform.engine.model;

import io.fleetform.dsl.source.SourceSpan;
import java.util.List;
import java.util.Optional;

/** An image: repository in a registry, a tag (resolved to a digest at plan time) or a digest. */
public record Image(String name, String registry, String repository, Optional<String> tag, Optional<String> digest,
        List<String> replicateTo, boolean prepull, SourceSpan span) {
    public Image {
        replicateTo = List.copyOf(replicateTo);
    }

    public String reference() {
        return repository + digest.map(d -> "@" + d).orElse(":" + tag.orElse("latest"));
    }
}
