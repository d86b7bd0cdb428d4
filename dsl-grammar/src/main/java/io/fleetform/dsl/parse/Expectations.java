package io.fleetform.dsl.parse;

import io.fleetform.dsl.antlr.FleetBaseLexer;
import io.fleetform.dsl.antlr.FleetBaseParser;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;

/** Says what the parser expected in user words ("a value", "'}'"), not in token names. */
final class Expectations {
    private static final int[] VALUE_STARTS = {
            FleetBaseLexer.NUMBER, FleetBaseLexer.QUANTITY, FleetBaseLexer.OPEN_QUOTE, FleetBaseLexer.LBRACK,
            FleetBaseLexer.TRUE, FleetBaseLexer.NULL
    };

    private Expectations() {
    }

    static String describe(Parser parser, RecognitionException e, Token offending) {
        IntervalSet expected;
        try {
            expected = e != null && e.getExpectedTokens() != null ? e.getExpectedTokens() : parser.getExpectedTokens();
        } catch (RuntimeException ignored) {
            return "";
        }
        if (expected.contains(FleetBaseLexer.HEREDOC_END)) {
            return "the heredoc's end marker on a line of its own";
        }
        Set<String> words = new LinkedHashSet<>();
        boolean value = false;
        for (int type : VALUE_STARTS) {
            if (expected.contains(type)) {
                value = true;
            }
        }
        if (value) {
            words.add("a value");
        }
        if (expected.contains(FleetBaseLexer.EQ) && expected.contains(FleetBaseLexer.LBRACE)) {
            words.add("'=' or '{'");
        }
        List<String> tokens = new ArrayList<>();
        for (int type : expected.toList()) {
            if (type == Token.EOF) {
                tokens.add("end of file");
                continue;
            }
            if (value && isValueStart(type)) {
                continue;
            }
            if ((type == FleetBaseLexer.EQ || type == FleetBaseLexer.LBRACE) && words.contains("'=' or '{'")) {
                continue;
            }
            String name = parser.getVocabulary().getLiteralName(type);
            if (name == null) {
                if (type == FleetBaseLexer.IDENT) {
                    tokens.add("a name");
                }
                continue;
            }
            if (isOperator(type)) {
                continue;
            }
            tokens.add(name);
        }
        words.addAll(tokens);
        if (words.size() > 6) {
            return "";
        }
        return String.join(", ", words).replaceFirst(", ([^,]*)$", " or $1");
    }

    static String hint(Parser parser, RecognitionException e, Token offending) {
        if (offending.getType() == FleetBaseLexer.IDENT && parser.getContext() instanceof FleetBaseParser.BlockContext) {
            return "an attribute is written name = value";
        }
        if (offending.getType() == Token.EOF && parser.getContext() instanceof FleetBaseParser.HeredocContext) {
            return "a heredoc is not closed";
        }
        if (offending.getType() == Token.EOF) {
            return "a block or list is not closed";
        }
        if (offending.getType() == FleetBaseLexer.RBRACE && parser.getContext() instanceof FleetBaseParser.BodyContext) {
            return "";
        }
        return "";
    }

    private static boolean isValueStart(int type) {
        return switch (type) {
            case FleetBaseLexer.NUMBER, FleetBaseLexer.QUANTITY, FleetBaseLexer.RATE, FleetBaseLexer.OPEN_QUOTE,
                 FleetBaseLexer.LBRACK, FleetBaseLexer.TRUE, FleetBaseLexer.FALSE, FleetBaseLexer.NULL,
                 FleetBaseLexer.MINUS, FleetBaseLexer.NOT, FleetBaseLexer.LPAREN, FleetBaseLexer.IDENT,
                 FleetBaseLexer.LBRACE, FleetBaseLexer.HEREDOC_START -> true;
            default -> false;
        };
    }

    private static boolean isOperator(int type) {
        return switch (type) {
            case FleetBaseLexer.DOT, FleetBaseLexer.PINNED, FleetBaseLexer.STAR, FleetBaseLexer.SLASH,
                 FleetBaseLexer.PERCENT, FleetBaseLexer.PLUS, FleetBaseLexer.MINUS, FleetBaseLexer.LT,
                 FleetBaseLexer.LE, FleetBaseLexer.GT, FleetBaseLexer.GE, FleetBaseLexer.EQEQ, FleetBaseLexer.NEQ,
                 FleetBaseLexer.AND, FleetBaseLexer.OR, FleetBaseLexer.QUESTION, FleetBaseLexer.AT,
                 FleetBaseLexer.LBRACK -> true;
            default -> false;
        };
    }
}
