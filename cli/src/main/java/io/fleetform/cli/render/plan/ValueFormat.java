package io.fleetform.cli.render.plan;

import io.fleetform.engine.plan.Redaction;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Attribute values on one line, the way the configuration spells them: strings quoted and
 * escaped (so a value with a newline cannot break the layout, or close a Markdown code block),
 * numbers exact, lists and maps inline. The mask {@code (sensitive)} is shown bare.
 */
final class ValueFormat {
    /** Everything, however long: a terminal user asked to see the plan. */
    static final ValueFormat FULL = new ValueFormat(Integer.MAX_VALUE);
    /** Long values cut, so one big config file does not crowd every other change out of a comment. */
    static final ValueFormat SHORT = new ValueFormat(200);

    private final int maxLength;

    private ValueFormat(int maxLength) {
        this.maxLength = maxLength;
    }

    void append(StringBuilder out, Object value) {
        int start = out.length();
        write(out, value);
        int length = out.length() - start;
        if (length > maxLength) {
            int cut = start + maxLength;
            if (Character.isHighSurrogate(out.charAt(cut - 1))) {
                cut--;
            }
            out.setLength(cut);
            out.append("… (").append(start + length - cut).append(" more characters)");
        }
    }

    private static void write(StringBuilder out, Object value) {
        if (value == null) {
            out.append("null");
        } else if (Redaction.MASK.equals(value)) {
            out.append(Redaction.MASK);
        } else if (value instanceof String s) {
            quote(out, s);
        } else if (value instanceof BigDecimal d) {
            // Plain digits read best, but 1E+100000 would be a hundred thousand of them.
            out.append(Math.abs(d.scale()) <= 40 ? d.toPlainString() : d.toString());
        } else if (value instanceof Number || value instanceof Boolean) {
            out.append(value);
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                out.append(i == 0 ? "" : ", ");
                write(out, list.get(i));
            }
            out.append(']');
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            // Sorted, so a plan reads the same however its maps were built.
            for (Map.Entry<?, ?> e : new TreeMap<>(map).entrySet()) {
                out.append(first ? "" : ", ");
                first = false;
                quote(out, String.valueOf(e.getKey()));
                out.append(": ");
                write(out, e.getValue());
            }
            out.append('}');
        } else {
            quote(out, value.toString());
        }
    }

    private static void quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
