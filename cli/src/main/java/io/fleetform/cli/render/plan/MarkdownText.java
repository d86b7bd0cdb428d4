package io.fleetform.cli.render.plan;

/**
 * Text from the plan made safe for Markdown and the HTML GitHub allows in it. Plans carry
 * provider messages and names we do not control; none of them may add formatting, links or
 * tags to a review comment.
 */
final class MarkdownText {
    private MarkdownText() {
    }

    /** Plain text in a paragraph or list item. */
    static String text(String raw) {
        String s = ChangeLines.oneLine(raw);
        StringBuilder out = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '\\', '`', '*', '_', '[', ']', '|', '#', '~', '!' -> out.append('\\').append(c);
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** Text inside an HTML element such as {@code <summary>}. */
    static String html(String raw) {
        return ChangeLines.oneLine(raw).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** An inline code span that holds any text, backticks included. */
    static String code(String raw) {
        String s = ChangeLines.oneLine(raw);
        if (s.indexOf('`') < 0) {
            return "`" + s + "`";
        }
        // A span opened with more backticks than any run inside it cannot be closed early.
        int longest = 0;
        int run = 0;
        for (int i = 0; i < s.length(); i++) {
            run = s.charAt(i) == '`' ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        String fence = "`".repeat(longest + 1);
        return fence + " " + s + " " + fence;
    }
}
