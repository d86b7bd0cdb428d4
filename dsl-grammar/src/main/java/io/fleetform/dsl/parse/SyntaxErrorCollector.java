package io.fleetform.dsl.parse;

import io.fleetform.dsl.antlr.FleetBaseLexer;
import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.dsl.source.SourceFile;
import io.fleetform.dsl.source.SourceSpan;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.NoViableAltException;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;

/**
 * Turns ANTLR's syntax errors into diagnostics a game-ops engineer can act on: the offending
 * token underlined, and what was expected in words rather than token names. Only the first
 * error of a line is kept, as later ones on the same line are usually echoes of it.
 */
final class SyntaxErrorCollector extends BaseErrorListener {
    private final SourceFile source;
    private final List<Diagnostic> diagnostics = new ArrayList<>();
    private final Set<Integer> linesWithErrors = new HashSet<>();

    SyntaxErrorCollector(SourceFile source) {
        this.source = source;
    }

    List<Diagnostic> diagnostics() {
        return diagnostics;
    }

    @Override
    public void syntaxError(Recognizer<?, ?> recognizer, Object offendingSymbol, int line, int charPositionInLine,
                            String msg, RecognitionException e) {
        if (!linesWithErrors.add(line)) {
            return;
        }
        Token token = offendingSymbol instanceof Token t ? t : null;
        SourceSpan span = spanOf(token, line, charPositionInLine);
        String found = describe(token);
        if (token != null && token.getType() == FleetBaseLexer.UNTERMINATED) {
            add("unterminated-string", span, "unterminated string", "add the closing \" before the end of the line");
        } else if (token != null && token.getType() == FleetBaseLexer.BAD_ESCAPE) {
            add("bad-escape", span, "invalid escape " + token.getText() + " in string",
                    "valid escapes are \\\" \\\\ \\n \\r \\t \\$ and \\uXXXX");
        } else if (token != null && token.getType() == FleetBaseLexer.UNKNOWN_CHAR) {
            add("unexpected-character", span, "unexpected character " + character(token.getText()), "");
        } else if (recognizer instanceof Parser parser && token != null && bareName(parser, e, token) != null) {
            String name = bareName(parser, e, token).getText();
            add("syntax", span, "unexpected " + found + " after " + name + ", expected '=' or '{'",
                    "an attribute is written " + name + " = value; a block " + name + " \"label\" { ... }");
        } else if (recognizer instanceof Parser parser && token != null) {
            String expected = Expectations.describe(parser, e, token);
            String message = "unexpected " + found + (expected.isEmpty() ? "" : ", expected " + expected);
            add("syntax", span, message, Expectations.hint(parser, e, token));
        } else {
            add("syntax", span, msg, "");
        }
    }

    /** The name when the offending token follows an item that so far is a single name, as in "memory 16Gi". */
    private static Token bareName(Parser parser, RecognitionException e, Token offending) {
        Token start = null;
        if (e instanceof NoViableAltException noViable) {
            start = noViable.getStartToken();
        } else if (parser.getContext() instanceof io.fleetform.dsl.antlr.FleetBaseParser.BlockContext block
                && block.label().isEmpty() && block.clause().isEmpty()) {
            start = block.getStart();
        }
        boolean itemLevel = parser.getContext() instanceof io.fleetform.dsl.antlr.FleetBaseParser.ItemContext
                || parser.getContext() instanceof io.fleetform.dsl.antlr.FleetBaseParser.BlockContext
                || parser.getContext() instanceof io.fleetform.dsl.antlr.FleetBaseParser.BodyContext;
        if (itemLevel && start != null && start.getType() == FleetBaseLexer.IDENT
                && offending.getTokenIndex() == start.getTokenIndex() + 1) {
            return start;
        }
        return null;
    }

    private void add(String code, SourceSpan span, String message, String hint) {
        diagnostics.add(Diagnostic.error(code, span, message, hint));
    }

    private SourceSpan spanOf(Token token, int line, int column) {
        if (token == null || token.getType() == Token.EOF) {
            int offset = token == null ? 0 : source.offsetOfCodePoint(token.getStartIndex());
            if (token != null && token.getType() == Token.EOF) {
                offset = lastNonSpace();
            }
            return new SourceSpan(source, offset, 1);
        }
        int start = source.offsetOfCodePoint(token.getStartIndex());
        int end = source.offsetOfCodePoint(token.getStopIndex() + 1);
        return new SourceSpan(source, start, Math.max(1, end - start));
    }

    private int lastNonSpace() {
        String text = source.text();
        int i = text.length() - 1;
        while (i > 0 && Character.isWhitespace(text.charAt(i))) {
            i--;
        }
        return Math.max(0, i);
    }

    static String describe(Token token) {
        if (token == null) {
            return "input";
        }
        if (token.getType() == Token.EOF) {
            return "end of file";
        }
        return switch (token.getType()) {
            case FleetBaseLexer.IDENT -> "name " + quote(token.getText());
            case FleetBaseLexer.NUMBER, FleetBaseLexer.QUANTITY, FleetBaseLexer.RATE -> "value " + token.getText();
            case FleetBaseLexer.OPEN_QUOTE -> "string";
            default -> quote(token.getText());
        };
    }

    /** A stray character by its code when it is invisible or a control character (NUL shows as nothing). */
    private static String character(String text) {
        int c = text.isEmpty() ? -1 : text.codePointAt(0);
        boolean invisible = c >= 0 && (io.fleetform.dsl.diag.TextWidth.isUnsafe(c) || Character.isWhitespace(c)
                || Character.getType(c) == Character.FORMAT || Character.isSpaceChar(c));
        return invisible ? String.format("U+%04X", c) : quote(text);
    }

    static String quote(String text) {
        return "'" + text + "'";
    }

    static boolean isMismatch(RecognitionException e) {
        return e instanceof InputMismatchException || e instanceof NoViableAltException;
    }
}
