package io.fleetform.dsl.diag;

import io.fleetform.dsl.source.SourceFile;
import io.fleetform.dsl.source.SourceSpan;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Takes secret texts out of diagnostics, whatever produced the message: a function quoting its
 * argument, a type error quoting a value, a source line holding a sensitive default. Messages
 * and hints get {@code (sensitive)} in place of the secret; source lines keep their length
 * ({@code *} per character), so positions and carets stay right.
 *
 * <p>Texts shorter than {@link #MIN_LENGTH} are not redacted: replacing every "1" or "on" in
 * every message would make them unreadable while hiding nothing a reader could not guess.
 */
public final class SecretsInDiagnostics {
    public static final int MIN_LENGTH = 3;

    private SecretsInDiagnostics() {
    }

    public static List<Diagnostic> redact(List<Diagnostic> diagnostics, Collection<String> secrets) {
        List<String> texts = secrets.stream().filter(s -> s != null && s.strip().length() >= MIN_LENGTH)
                .sorted(Comparator.comparingInt(String::length).reversed()).toList();
        if (texts.isEmpty()) {
            return diagnostics;
        }
        Map<SourceFile, SourceFile> masked = new IdentityHashMap<>();
        List<Diagnostic> result = new ArrayList<>(diagnostics.size());
        for (Diagnostic d : diagnostics) {
            SourceSpan span = d.span();
            if (!span.isNone()) {
                SourceFile file = masked.computeIfAbsent(span.file(), f -> mask(f, texts));
                span = new SourceSpan(file, span.offset(), span.length());
            }
            result.add(new Diagnostic(d.severity(), d.code(), replace(d.message(), texts), span,
                    replace(d.hint(), texts)));
        }
        return result;
    }

    /** Replaces every secret text in a message. */
    public static String replace(String text, List<String> secrets) {
        String result = text;
        for (String secret : secrets) {
            result = result.replace(secret, "(sensitive)");
        }
        return result;
    }

    private static SourceFile mask(SourceFile file, List<String> secrets) {
        String text = file.text();
        boolean changed = false;
        StringBuilder out = new StringBuilder(text);
        for (String secret : secrets) {
            for (int at = text.indexOf(secret); at >= 0; at = text.indexOf(secret, at + 1)) {
                for (int i = at; i < at + secret.length(); i++) {
                    if (out.charAt(i) != '\n' && out.charAt(i) != '\r') {
                        out.setCharAt(i, '*');
                    }
                }
                changed = true;
            }
        }
        return changed ? new SourceFile(file.path(), out.toString()) : file;
    }
}
