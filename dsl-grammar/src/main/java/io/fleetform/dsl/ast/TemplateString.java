package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;
import java.util.List;

/** A string literal, possibly with {@code ${...}} interpolations. */
public record TemplateString(List<StringPart> parts, SourceSpan span) implements Expression {
    public TemplateString {
        parts = List.copyOf(parts);
    }

    /** The literal value when there is no interpolation, else null. */
    public String constantValue() {
        StringBuilder s = new StringBuilder();
        for (StringPart part : parts) {
            if (!(part instanceof StringPart.Text text)) {
                return null;
            }
            s.append(text.value());
        }
        return s.toString();
    }
}
