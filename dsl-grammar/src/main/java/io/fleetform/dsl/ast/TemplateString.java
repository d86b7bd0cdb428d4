package io.fleetform.dsl.ast;

import io.fleetform.dsl.source.SourceSpan;
import java.util.List;

/**
 * A string literal, possibly with {@code ${...}} interpolations.
 *
 * @param heredoc written as {@code <<EOT} / {@code <<-EOT}: {@code fmt} keeps it as written
 */
public record TemplateString(List<StringPart> parts, boolean heredoc, SourceSpan span) implements Expression {
    public TemplateString {
        parts = List.copyOf(parts);
    }

    public TemplateString(List<StringPart> parts, SourceSpan span) {
        this(parts, false, span);
    }

    /** The literal value when there is no interpolation, else null. */
    public String constantValue() {
        if (parts.isEmpty()) {
            return "";
        }
        if (parts.size() == 1 && parts.get(0) instanceof StringPart.Text only) {
            return only.value(); // the common case, without a copy: literals are evaluated once per zone
        }
        // Indexed loops: an iterator per call (the launcher's C1 compiler removes none) and a builder for a
        // string that turns out interpolated were most of what "${z.name}" cost per zone.
        for (int i = 0; i < parts.size(); i++) {
            if (!(parts.get(i) instanceof StringPart.Text)) {
                return null;
            }
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            s.append(((StringPart.Text) parts.get(i)).value());
        }
        return s.toString();
    }
}
