package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;
import java.util.List;
import java.util.Optional;

/**
 * {@code type "label" clauses { body }}, e.g. {@code zones "s" from 1 to 40 as z { ... }} or
 * {@code service "logic" from template.logic}. The body may be absent only when clauses are given.
 */
public record Block(Identifier type, List<Label> labels, List<Clause> clauses, Optional<Body> body, SourceSpan span)
        implements BodyItem {

    public Block {
        labels = List.copyOf(labels);
        clauses = List.copyOf(clauses);
    }

    public String typeName() {
        return type.name();
    }

    /** The first label's value, or empty for unlabelled blocks such as {@code io { ... }}. */
    public Optional<Label> label() {
        return labels.isEmpty() ? Optional.empty() : Optional.of(labels.get(0));
    }

    public List<BodyItem> items() {
        return body.map(Body::items).orElse(List.of());
    }

    public <C extends Clause> Optional<C> clause(Class<C> kind) {
        // An indexed loop, neither a stream nor an iterator: asked for every zone and service of a fleet.
        for (int i = 0; i < clauses.size(); i++) {
            Clause c = clauses.get(i);
            if (kind.isInstance(c)) {
                return Optional.of(kind.cast(c));
            }
        }
        return Optional.empty();
    }

    /** The span of the header only ({@code type "label" clauses}), for messages about the block as a whole. */
    public SourceSpan headerSpan() {
        SourceSpan last = !clauses.isEmpty() ? clauses.get(clauses.size() - 1).span()
                : !labels.isEmpty() ? labels.get(labels.size() - 1).span() : type.span();
        return SourceSpan.between(type.span(), last);
    }
}
