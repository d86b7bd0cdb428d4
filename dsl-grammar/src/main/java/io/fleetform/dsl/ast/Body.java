package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;
import java.util.List;

public record Body(List<BodyItem> items, SourceSpan span) implements Node {
    public Body {
        items = List.copyOf(items);
    }
}
