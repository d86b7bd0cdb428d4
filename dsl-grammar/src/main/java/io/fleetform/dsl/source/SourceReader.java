package io.fleetform.dsl.source;

import io.fleetform.dsl.diag.Diagnostic;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads a user's text file with bounds: regular files only (never a device, a FIFO or a
 * folder, which could block or never end), at most {@code maxBytes}, and strictly UTF-8. A
 * file that is not UTF-8 is reported at the first byte that is not, as {@code file:line:col}.
 */
public final class SourceReader {
    /** A {@code .fleet} file larger than this is refused: 2,000 zones written out fit in far less. */
    public static final long MAX_SOURCE_BYTES = 8L << 20;

    private SourceReader() {
    }

    /** The file's text, or why there is none. */
    public record Result(Optional<SourceFile> file, Optional<Diagnostic> error) {
    }

    public static Result read(Path path, String displayPath, long maxBytes) {
        SourceFile nameOnly = new SourceFile(displayPath, "");
        if (!Files.isRegularFile(path)) {
            String what = Files.isDirectory(path) ? "a folder" : Files.exists(path) ? "not a regular file"
                    : Files.isSymbolicLink(path) ? "a symbolic link to nothing (its target is missing, or a loop)"
                    : "missing";
            return failure(nameOnly, 0, "cannot read " + displayPath + ": " + what,
                    "only regular files are read (not devices, pipes or folders)");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(path)) {
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        } catch (IOException e) {
            return failure(nameOnly, 0, "cannot read " + displayPath + ": " + e.getMessage(), "");
        }
        if (bytes.length > maxBytes) {
            return failure(nameOnly, 0, displayPath + " is larger than " + describe(maxBytes),
                    "split it into smaller files, or use ranges and for_each instead of writing every zone out");
        }
        return decode(bytes, displayPath);
    }

    /** Decodes strictly; the error points at the first byte that is not UTF-8. */
    public static Result decode(byte[] bytes, String displayPath) {
        CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult result = strict.decode(in, out, true);
        if (!result.isError()) {
            strict.flush(out);
            out.flip();
            String text = out.toString();
            if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
                text = text.substring(1);
            }
            return new Result(Optional.of(new SourceFile(displayPath, text)), Optional.empty());
        }
        int charsBefore = out.position();
        int bad = bytes[in.position()] & 0xff;
        String lossy = new String(bytes, StandardCharsets.UTF_8);
        SourceFile file = new SourceFile(displayPath, lossy);
        return failure(file, charsBefore, displayPath + " is not UTF-8 text (byte 0x"
                + String.format("%02X", bad) + ")", "save the file as UTF-8");
    }

    private static Result failure(SourceFile file, int offset, String message, String hint) {
        int length = offset < file.text().length() ? 1 : 0;
        return new Result(Optional.empty(), Optional.of(Diagnostic.error("unreadable",
                new SourceSpan(file, offset, length), message, hint)));
    }

    public static String describe(long bytes) {
        return bytes >= 1L << 20 && bytes % (1L << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes";
    }
}
