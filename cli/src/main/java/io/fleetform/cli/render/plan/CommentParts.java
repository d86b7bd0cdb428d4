package io.fleetform.cli.render.plan;

import java.util.ArrayList;
import java.util.List;

/**
 * Packs sections into comments no longer than a limit without ever leaving anything out: a
 * section that does not fit in what is left of a comment is split between its items (list
 * items, table rows, resources), closed in this comment and opened again, marked "continued",
 * in the next one, so every comment is valid Markdown on its own (no open {@code <details>}, code
 * fence or quote) and every item is in exactly one of them.
 */
final class CommentParts {

    /**
     * A section: {@code open} and {@code close} wrap its items (a table header, a
     * {@code <details>} with a code fence); {@code reopen} starts it again in a later comment.
     */
    record Section(String open, List<String> items, String close, String reopen) {
        Section {
            items = List.copyOf(items);
        }

        static Section text(String text) {
            return new Section("", List.of(text), "", "");
        }
    }

    private final int limit;
    private final int headerRoom;
    private final List<StringBuilder> parts = new ArrayList<>();

    /** @param headerRoom room kept at the top of every comment for its header (marker, title, part k of n) */
    CommentParts(int limit, int headerRoom) {
        this.limit = limit;
        this.headerRoom = headerRoom;
        parts.add(new StringBuilder());
    }

    void add(Section section) {
        if (section.items().isEmpty()) {
            return;
        }
        boolean opened = false;
        for (String item : section.items()) {
            String open = opened ? "" : (section.open());
            int needed = open.length() + item.length() + section.close().length();
            if (!fits(needed)) {
                if (opened) {
                    current().append(section.close());
                }
                parts.add(new StringBuilder());
                open = section.reopen();
                needed = open.length() + item.length() + section.close().length();
                if (!fits(needed)) {
                    // One item larger than a whole comment: it still goes out, alone, cut to fit, saying so.
                    item = cut(item, limit - headerRoom - open.length() - section.close().length() - 200);
                }
            }
            current().append(open).append(item);
            opened = true;
        }
        current().append(section.close());
    }

    /** The packed comments, each preceded by what {@code header} makes of its number and the count. */
    List<String> render(HeaderMaker header) {
        List<StringBuilder> used = parts.stream().filter(p -> p.length() > 0).toList();
        if (used.isEmpty()) {
            used = List.of(new StringBuilder());
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < used.size(); i++) {
            String text = header.header(i + 1, used.size()) + used.get(i);
            // Every section ends with a blank line; the comment needs none at its end.
            while (text.endsWith("\n\n")) {
                text = text.substring(0, text.length() - 1);
            }
            out.add(text);
        }
        return out;
    }

    interface HeaderMaker {
        String header(int part, int parts);
    }

    private boolean fits(int more) {
        return current().length() + more + headerRoom <= limit;
    }

    private StringBuilder current() {
        return parts.get(parts.size() - 1);
    }

    private static String cut(String item, int room) {
        String note = "\n(this item alone is longer than a comment: the rest of it is in the saved plan)\n";
        return item.substring(0, Math.max(0, room)) + note;
    }
}
