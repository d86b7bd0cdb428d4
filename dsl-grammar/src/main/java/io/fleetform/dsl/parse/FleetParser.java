package io.fleetform.dsl.parse;

import io.fleetform.dsl.antlr.FleetBaseLexer;
import io.fleetform.dsl.antlr.FleetBaseParser;
import io.fleetform.dsl.ast.Body;
import io.fleetform.dsl.ast.BodyItem;
import io.fleetform.dsl.ast.Comment;
import io.fleetform.dsl.ast.FleetFile;
import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.dsl.source.SourceFile;
import io.fleetform.dsl.source.SourceSpan;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.antlr.v4.runtime.BailErrorStrategy;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.Lexer;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
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
     * Files of at least this many characters (some 35,000 tokens) are lexed and parsed in parts on
     * several threads (see {@link #inParts}): below it a thread costs more than it saves.
     */
    static final int PARTS_FROM_CHARS = 128 * 1024;
    /** Parts per thread: each thread's tree is dropped part by part, so fewer trees are alive at once. */
    private static final int PARTS_PER_THREAD = 4;
    private static final int MIN_PART_CHARS = 32 * 1024;
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
        if (threads > 1 && source.text().length() >= PARTS_FROM_CHARS) {
            ParseResult inParts = inParts(source);
            if (inParts != null) {
                return inParts;
            }
        }
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

    /** One part's outcome: its items, comments and messages, or that it cannot stand for its share of the file. */
    private static final class Part {
        List<BodyItem> items;
        List<Comment> comments;
        List<Diagnostic> diagnostics;
        int bodyStart;
        int bodyStop;
        /** The types of the part's first and last tokens on the default channel (EOF left out). */
        int firstType;
        int lastType;
        boolean failed;
    }

    /**
     * A large file (a fleet's 20,000 zones in one file) lexed and parsed as consecutive stretches of text,
     * several per thread (see {@link #partCuts}), each stretch with its own lexer and parser, its tree turned
     * into items and dropped on the same thread: lexing is parallel too, and no more than one tree per thread
     * is alive at a time (a young collection then copies the items, not a whole file's tokens and tree). A
     * stretch starts at the start of a line that begins with a name and follows a line holding only a '}'
     * (blank lines between them stay in the stretch before). Such a cut is where a whole-file lex would be
     * too, in the default mode at the top level, exactly when the stretch before it, lexed from its own start
     * (the file's start for the first), ends in the default mode with no mode pushed (not inside a string,
     * interpolation, heredoc or braces) and holds no '/' directly followed by '*' (the start of a block
     * comment the cut would run through: no expression has a '/' before a '*'); a stretch that parses as a
     * whole file has nothing open at its end, so the parser refuses these too. A stretch ending with a
     * top-level '}' and the next one starting with a name cut no item in two (a block ends with its body, and
     * no expression continues with a name), so a well-formed file is exactly the stretches' items in order.
     * Used only when every stretch lexes cleanly and parses with the fast strategy, no expression nested too
     * deep: any syntax error, lexer message or surprise returns null and the file is parsed whole, which
     * reports as always.
     */
    private ParseResult inParts(SourceFile source) {
        String text = source.text();
        List<Integer> cuts = partCuts(text, Math.min(threads * PARTS_PER_THREAD, text.length() / MIN_PART_CHARS));
        return cuts.size() < 2 ? null : inParts(source, cuts);
    }

    /** The file parsed in the stretches that begin at {@code cuts} (char offsets, the first 0), or null. */
    ParseResult inParts(SourceFile source, List<Integer> cuts) {
        String text = source.text();
        int[] codePoints = text.codePointCount(0, text.length()) == text.length() ? null : text.codePoints().toArray();
        int count = cuts.size();
        Part[] parts = new Part[count];
        int[] begins = new int[count + 1];
        int[] lines = new int[count];
        for (int p = 0; p < count; p++) {
            int cut = cuts.get(p);
            begins[p] = codePoints == null ? cut : text.codePointCount(0, cut);
            lines[p] = source.lineOf(cut);
            parts[p] = new Part();
        }
        begins[count] = codePoints == null ? text.length() : codePoints.length;
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean failed = new AtomicBoolean();
        Runnable work = () -> {
            for (int p = next.getAndIncrement(); p < count && !failed.get(); p = next.getAndIncrement()) {
                parsePart(source, new TextWindow(text, codePoints, begins[p], begins[p + 1], source.path()), lines[p],
                        parts[p]);
                if (parts[p].failed) {
                    failed.set(true);
                }
            }
        };
        List<Thread> helpers = new ArrayList<>();
        for (int t = 1; t < Math.min(threads, count); t++) {
            Thread helper = new Thread(work, "fleetform-parse-" + t);
            helper.setDaemon(true);
            helper.start();
            helpers.add(helper);
        }
        work.run();
        try {
            for (Thread helper : helpers) {
                helper.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        if (failed.get()) {
            return null;
        }
        for (int p = 1; p < count; p++) {
            if (parts[p - 1].lastType != FleetBaseLexer.RBRACE || parts[p].firstType != FleetBaseLexer.IDENT) {
                return null;
            }
        }
        List<BodyItem> items = new ArrayList<>();
        List<Comment> comments = new ArrayList<>();
        List<Diagnostic> diagnostics = new ArrayList<>();
        for (Part part : parts) {
            diagnostics.addAll(part.diagnostics);
            items.addAll(part.items);
            comments.addAll(part.comments);
        }
        if (!diagnostics.isEmpty()) {
            return new ParseResult(Optional.empty(), diagnostics);
        }
        Body body = new AstBuilder(source).joined(items, parts[0].bodyStart, parts[count - 1].bodyStop);
        return new ParseResult(Optional.of(new FleetFile(source, body, comments)), List.of());
    }

    /** Lexes and parses one stretch of the file (see {@link #inParts}); marks the part failed on any doubt. */
    private static void parsePart(SourceFile source, TextWindow input, int line, Part part) {
        try {
            FleetBaseLexer lexer = new FleetBaseLexer(input);
            lexer.setLine(line);
            lexer.setCharPositionInLine(0);
            lexer.removeErrorListeners();
            boolean[] lexerError = new boolean[1];
            lexer.addErrorListener(new BaseErrorListener() {
                @Override
                public void syntaxError(Recognizer<?, ?> recognizer, Object symbol, int atLine, int column,
                                        String message, RecognitionException e) {
                    lexerError[0] = true;
                }
            });
            CommonTokenStream tokens = new CommonTokenStream(lexer);
            if (firstTooDeep(tokens) != null || lexerError[0] || lexer._mode != Lexer.DEFAULT_MODE
                    || !lexer._modeStack.isEmpty() || !plainEnds(tokens.getTokens(), part)) {
                part.failed = true;
                return;
            }
            FleetBaseParser parser = new FleetBaseParser(tokens);
            parser.removeErrorListeners();
            parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
            parser.setErrorHandler(new BailErrorStrategy());
            FleetBaseParser.BodyContext tree = parser.file().body();
            AstBuilder builder = new AstBuilder(source);
            part.items = builder.body(tree).items();
            part.diagnostics = builder.diagnostics();
            part.comments = comments(source, tokens);
            part.bodyStart = tree.start.getStartIndex();
            part.bodyStop = tree.stop == null || tree.stop.getType() == Token.EOF ? part.bodyStart - 1
                    : tree.stop.getStopIndex();
        } catch (Throwable any) {
            // a syntax error (ParseCancellationException), too deep an expression, anything: the whole file is parsed
            part.failed = true;
        }
    }

    /**
     * Records the types of the first and last tokens on the default channel; false when the part holds a
     * '/' directly followed by '*': the start of a block comment that ends past the part's end.
     */
    private static boolean plainEnds(List<Token> tokens, Part part) {
        Token previous = null;
        part.firstType = Token.EOF;
        part.lastType = Token.EOF;
        for (Token token : tokens) {
            if (token.getType() == Token.EOF || token.getChannel() != Token.DEFAULT_CHANNEL) {
                continue;
            }
            if (previous != null && previous.getType() == FleetBaseLexer.SLASH && token.getType() == FleetBaseLexer.STAR
                    && token.getStartIndex() == previous.getStopIndex() + 1) {
                return false;
            }
            if (part.firstType == Token.EOF) {
                part.firstType = token.getType();
            }
            part.lastType = token.getType();
            previous = token;
        }
        return true;
    }

    /**
     * Where the stretches begin (char offsets): 0, then up to {@code count - 1} starts of lines that begin
     * with a name ({@code [A-Za-z_]}) right after a line holding only '}' (and blanks), blank lines between
     * allowed, near equal shares of the text apart. A file written any other way is parsed whole.
     */
    static List<Integer> partCuts(String text, int count) {
        List<Integer> cuts = new ArrayList<>();
        cuts.add(0);
        int length = text.length();
        for (int k = 1; k < count; k++) {
            int from = Math.max((int) ((long) length * k / count), cuts.get(cuts.size() - 1) + 1);
            int cut = -1;
            for (int brace = text.indexOf("\n}", from - 1 < 0 ? 0 : from - 1); brace >= 0 && cut < 0;
                    brace = text.indexOf("\n}", brace + 1)) {
                int i = blanks(text, brace + 2);
                // Blank lines may follow (a formatted file separates its blocks by one): they stay in this stretch.
                while (i + 1 < length && text.charAt(i) == '\n' && blanks(text, i + 1) < length
                        && text.charAt(blanks(text, i + 1)) == '\n') {
                    i = blanks(text, i + 1);
                }
                if (i + 1 < length && text.charAt(i) == '\n' && startsName(text.charAt(i + 1))) {
                    cut = i + 1;
                }
            }
            if (cut < 0) {
                break;
            }
            cuts.add(cut);
        }
        return cuts;
    }

    /** The first index from {@code i} on that is not a space, tab or carriage return (or the length). */
    private static int blanks(String text, int i) {
        while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t' || text.charAt(i) == '\r')) {
            i++;
        }
        return i;
    }

    private static boolean startsName(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_';
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
