package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceFile;
import java.util.List;

/** One parsed file: its top-level body and its comments. */
public record FleetFile(SourceFile source, Body body, List<Comment> comments) {
    public FleetFile {
        comments = List.copyOf(comments);
    }
}
