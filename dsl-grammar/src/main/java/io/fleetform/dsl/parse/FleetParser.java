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
 * The one place that knows ANTLR. Parses a file (a large one in parts, see {@link #inParts}) in two
 * stages: the fast SLL mode with bail-out first, and only if that fails the full LL mode with error
 * reporting. Syntax errors become
 * diagnostics; a tree is returned only for a well-formed file. Nothing ANTLR-specific leaves
 * this package.
 */
public final class FleetParser {
    /**
     * Files of at least this many tokens are parsed in parts on several threads (see {@link #inParts}):
     * below it a thread costs more than it saves.
     */
    static final int PARTS_FROM_TOKENS = 40_000;
    private static final int MAX_THREADS = 4;

    private final int threads;

    public FleetParser() {
        this(Math.min(MAX_THREADS, Runtime.getRuntime().availableProcessors()));
    }

    /** {@code threads} 1 parses every file whole, on the calling thread. */
    FleetParser(int threads) {
        this.threads = threads;
    }

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
        if (threads > 1 && tokens.size() >= PARTS_FROM_TOKENS && errors.diagnostics().isEmpty()) {
            ParseResult inParts = inParts(source, tokens);
            if (inParts != null) {
                return inParts;
            }
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

    /** One part's outcome: its tree and items, or why the part cannot stand for its share of the file. */
    private static final class Part {
        FleetBaseParser.FileContext tree;
        List<io.fleetform.dsl.ast.BodyItem> items;
        List<Diagnostic> diagnostics;
        AstBuilder.TooDeep tooDeep;
        boolean failed;
    }

    /**
     * A large file (a fleet's 20,000 zones in one file) parsed as consecutive runs of top-level items,
     * one run per thread, each with its own parser over copies of its tokens (ANTLR's prediction cache
     * is shared between parsers and safe for threads), the trees turned into items on the same thread.
     * A run starts at a name that follows a top-level '}': no item goes on past such a brace (a block
     * ends with its body, and no expression continues with a name), so a well-formed file is exactly
     * the runs' items in order. Used only when every run parses with the fast strategy: any syntax
     * error, or anything unexpected, returns null and the file is parsed whole, which reports as always.
     */
    private ParseResult inParts(SourceFile source, CommonTokenStream tokens) {
        List<Token> all = tokens.getTokens();
        List<Integer> starts = partStarts(all, threads);
        if (starts.size() < 2) {
            return null;
        }
        int end = all.size() - 1; // the EOF token: each part's token source makes its own
        Part[] parts = new Part[starts.size()];
        List<Thread> helpers = new ArrayList<>();
        for (int p = 0; p < parts.length; p++) {
            int from = starts.get(p);
            int to = p + 1 < parts.length ? starts.get(p + 1) : end;
            Part part = new Part();
            parts[p] = part;
            Runnable work = () -> parsePart(source, all.subList(from, to), part);
            if (p == 0) {
                continue; // the calling thread's, below
            }
            Thread helper = new Thread(work, "fleetform-parse-" + p);
            helper.setDaemon(true);
            helper.start();
            helpers.add(helper);
        }
        parsePart(source, all.subList(starts.get(0), starts.get(1)), parts[0]);
        try {
            for (Thread helper : helpers) {
                helper.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        List<io.fleetform.dsl.ast.BodyItem> items = new ArrayList<>();
        List<Diagnostic> diagnostics = new ArrayList<>();
        for (Part part : parts) {
            if (part.failed) {
                return null;
            }
        }
        for (Part part : parts) {
            if (part.tooDeep != null) {
                return new ParseResult(Optional.empty(), List.of(part.tooDeep.diagnostic));
            }
            diagnostics.addAll(part.diagnostics);
            items.addAll(part.items);
        }
        if (!diagnostics.isEmpty()) {
            return new ParseResult(Optional.empty(), diagnostics);
        }
        AstBuilder builder = new AstBuilder(source);
        io.fleetform.dsl.ast.Body body = builder.joined(items, parts[0].tree.body(), parts[parts.length - 1].tree.body());
        return new ParseResult(Optional.of(new FleetFile(source, body, comments(source, tokens))), List.of());
    }

    private static void parsePart(SourceFile source, List<Token> slice, Part part) {
        try {
            List<Token> copies = new ArrayList<>(slice.size());
            for (Token token : slice) {
                copies.add(new org.antlr.v4.runtime.CommonToken(token)); // the stream renumbers its tokens
            }
            FleetBaseParser parser = new FleetBaseParser(new CommonTokenStream(
                    new org.antlr.v4.runtime.ListTokenSource(copies, source.path())));
            parser.removeErrorListeners();
            parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
            parser.setErrorHandler(new BailErrorStrategy());
            part.tree = parser.file();
            AstBuilder builder = new AstBuilder(source);
            try {
                part.items = builder.body(part.tree.body()).items();
            } catch (AstBuilder.TooDeep e) {
                part.tooDeep = e;
            }
            part.diagnostics = builder.diagnostics();
        } catch (Throwable any) {
            // a syntax error (ParseCancellationException), a too deep stack, anything: the whole file is parsed
            part.failed = true;
        }
    }

    /**
     * Where the parts begin: the first token, then up to {@code count - 1} names that follow a '}' closing
     * the top level, near equal shares of the tokens apart.
     */
    static List<Integer> partStarts(List<Token> tokens, int count) {
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        int share = tokens.size() / count;
        int depth = 0;
        int previous = -1;
        for (int i = 0; i < tokens.size() && starts.size() < count; i++) {
            Token token = tokens.get(i);
            if (token.getChannel() != Token.DEFAULT_CHANNEL) {
                continue;
            }
            int type = token.getType();
            if (depth == 0 && previous == FleetBaseLexer.RBRACE && type == FleetBaseLexer.IDENT
                    && i >= starts.size() * share) {
                starts.add(i);
            }
            switch (type) {
                case FleetBaseLexer.LBRACE, FleetBaseLexer.LBRACK, FleetBaseLexer.LPAREN, FleetBaseLexer.INTERP_OPEN,
                        FleetBaseLexer.OPEN_QUOTE, FleetBaseLexer.HEREDOC_START -> depth++;
                case FleetBaseLexer.RBRACE, FleetBaseLexer.RBRACK, FleetBaseLexer.RPAREN, FleetBaseLexer.CLOSE_QUOTE,
                        FleetBaseLexer.UNTERMINATED, FleetBaseLexer.HEREDOC_END -> depth = Math.max(0, depth - 1);
                default -> {
                }
            }
            previous = type;
        }
        return starts;
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
