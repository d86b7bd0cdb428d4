package io.fleetform.engine.model;

import io.fleetform.dsl.source.SourceSpan;
import java.util.Optional;

/** An image registry; a mirror names the registry it mirrors. */
public record Registry(String name, String url, Optional<String> username, Optional<Secret> auth,
        Optional<String> mirrorOf, boolean insecure, SourceSpan span) {
}
