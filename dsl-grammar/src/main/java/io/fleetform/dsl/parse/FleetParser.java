package io.fleetform.dsl.parse;

import io.fleetform.dsl.antlr.FleetBaseLexer;
import io.fleetform.dsl.antlr.FleetBaseParser;
import io.fleetform.dsl.ast.Comment;
import io.fleetform.dsl.ast.FleetFile;
import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.dsl.source.SourceFile;
import io.fleetform.dsl.source.SourceSpan;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.antlr.v4.runtime.BailErrorStrategy;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.atn.PredictionMode;
import org.antlr.v4.runtime.misc.ParseCancellationException;

/**
 * The one place that knows ANTLR. Parses a file in two stages: the fast SLL mode with bail-out
 * first, and only if that fails the full LL mode with error reporting. Syntax errors become
 * diagnostics; a tree is returned only for a well-formed file. Nothing ANTLR-specific leaves
 * this package.
 */
public final class FleetParser {

    public ParseResult parse(SourceFile source) {
        CommonTokenStream[] tokens = new CommonTokenStream[1];
        try {
            return parseChecked(source, tokens);
        } catch (StackOverflowError e) {
            return new ParseResult(Optional.empty(), List.of(Diagnostic.error("too-deeply-nested",
                    deepestSpan(source, tokens[0]), "input too deeply nested", "split the expression into locals")));
        }
    }

    /**
     * Where the parser was when the stack ran out: the token at which the nesting became too deep
     * (the parser descends one level per bracket, so it overflows there, not at the end).
     */
    private static SourceSpan deepestSpan(SourceFile source, CommonTokenStream tokens) {
        if (tokens == null || tokens.size() == 0) {
            return new SourceSpan(source, 0, 0);
        }
        Token token = tokens.get(Math.min(tokens.index(), tokens.size() - 1));
        if (token.getType() == Token.EOF || token.getStartIndex() < 0) {
            return new SourceSpan(source, 0, 0);
        }
        int start = source.offsetOfCodePoint(token.getStartIndex());
        int end = source.offsetOfCodePoint(token.getStopIndex() + 1);
        return new SourceSpan(source, start, end - start);
    }

    /**
     * The first bracket, brace, parenthesis, string or interpolation opened more than
     * {@link AstBuilder#MAX_NESTING} deep, found on the tokens before parsing: the parser descends
     * once per level, so this keeps it (and the message) away from the stack's edge, which moves
     * with the JIT and would put the same mistake at a different column on every run.
     */
    private static Token firstTooDeep(CommonTokenStream tokens) {
        tokens.fill();
        int depth = 0;
        for (Token token : tokens.getTokens()) {
            switch (token.getType()) {
                case FleetBaseLexer.LBRACE, FleetBaseLexer.LBRACK, FleetBaseLexer.LPAREN, FleetBaseLexer.INTERP_OPEN,
                        FleetBaseLexer.OPEN_QUOTE, FleetBaseLexer.HEREDOC_START -> {
                    if (++depth > AstBuilder.MAX_NESTING) {
                        return token;
                    }
                }
                case FleetBaseLexer.RBRACE, FleetBaseLexer.RBRACK, FleetBaseLexer.RPAREN, FleetBaseLexer.CLOSE_QUOTE,
                        FleetBaseLexer.UNTERMINATED, FleetBaseLexer.HEREDOC_END -> depth = Math.max(0, depth - 1);
                default -> {
                }
            }
        }
        return null;
    }

    private static SourceSpan tokenSpan(SourceFile source, Token token) {
        int start = source.offsetOfCodePoint(token.getStartIndex());
        int end = source.offsetOfCodePoint(token.getStopIndex() + 1);
        return new SourceSpan(source, start, Math.max(1, end - start));
    }

    public ParseResult parse(String path, String text) {
        return parse(new SourceFile(path, text));
    }

    private ParseResult parseChecked(SourceFile source, CommonTokenStream[] tokensSeen) {
        SyntaxErrorCollector errors = new SyntaxErrorCollector(source);
        FleetBaseLexer lexer = new FleetBaseLexer(CharStreams.fromString(source.text(), source.path()));
        lexer.removeErrorListeners();
        lexer.addErrorListener(errors);
        CommonTokenStream tokens = new CommonTokenStream(lexer);
        tokensSeen[0] = tokens;
        Token tooDeep = firstTooDeep(tokens);
        if (tooDeep != null) {
            List<Diagnostic> diagnostics = new ArrayList<>(errors.diagnostics());
            diagnostics.add(Diagnostic.error("too-deeply-nested", tokenSpan(source, tooDeep),
                    "input too deeply nested (expressions nest at most " + AstBuilder.MAX_NESTING + " deep)",
                    "split the expression into locals"));
            return new ParseResult(Optional.empty(), diagnostics);
        }
        FleetBaseParser parser = new FleetBaseParser(tokens);
        parser.removeErrorListeners();

        FleetBaseParser.FileContext tree;
        try {
            parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
            parser.setErrorHandler(new BailErrorStrategy());
            tree = parser.file();
        } catch (ParseCancellationException e) {
            tokens.seek(0);
            parser.reset();
            parser.addErrorListener(errors);
            parser.setErrorHandler(new DefaultErrorStrategy());
            parser.getInterpreter().setPredictionMode(PredictionMode.LL);
            tree = parser.file();
        }
        if (!errors.diagnostics().isEmpty()) {
            return new ParseResult(Optional.empty(), errors.diagnostics());
        }
        AstBuilder builder = new AstBuilder(source);
        FleetFile file;
        try {
            file = new FleetFile(source, builder.body(tree.body()), comments(source, tokens));
        } catch (AstBuilder.TooDeep e) {
            return new ParseResult(Optional.empty(), List.of(e.diagnostic));
        }
        if (!builder.diagnostics().isEmpty()) {
            return new ParseResult(Optional.empty(), builder.diagnostics());
        }
        return new ParseResult(Optional.of(file), List.of());
    }

    private static List<Comment> comments(SourceFile source, CommonTokenStream tokens) {
        List<Comment> comments = new ArrayList<>();
        tokens.fill();
        for (Token token : tokens.getTokens()) {
            if (token.getChannel() == FleetBaseLexer.COMMENTS) {
                int start = source.offsetOfCodePoint(token.getStartIndex());
                int end = source.offsetOfCodePoint(token.getStopIndex() + 1);
                comments.add(new Comment(token.getText(), new SourceSpan(source, start, end - start)));
            }
        }
        return comments;
    }
}
