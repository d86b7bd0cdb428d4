package io.fleetform.state.local;

import io.fleetform.engine.state.StateException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a journal file. Every record is one write ending in a newline, so only the bytes after
 * the last newline can be a crash's half-written record: they are ignored. Any complete line
 * that does not parse is damage, and is reported rather than skipped.
 */
final class JournalReader {
    private JournalReader() {
    }

    static Optional<JournalContents> read(Path file, io.fleetform.engine.state.StateEncryption encryption)
            throws StateException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StateException("cannot read journal " + file + ": " + IoErrors.describe(e), e);
        }
        int complete = lastNewline(bytes) + 1;
        JournalLine.Header header = null;
        List<JournalLine> records = new ArrayList<>();
        Set<String> folded = new HashSet<>();
        int lineNumber = 0;
        int start = 0;
        for (int i = 0; i < complete; i++) {
            if (bytes[i] != '\n') {
                continue;
            }
            lineNumber++;
            JournalLine line = decode(file, lineNumber, new String(bytes, start, i - start, StandardCharsets.UTF_8),
                    encryption);
            start = i + 1;
            if (lineNumber == 1) {
                if (!(line instanceof JournalLine.Header h)) {
                    throw damaged(file, 1, "it does not start with a journal header");
                }
                header = h;
            } else if (line instanceof JournalLine.Header) {
                throw damaged(file, lineNumber, "a second header");
            } else if (line instanceof JournalLine.Folded f) {
                folded.add(f.stateFingerprint());
            } else {
                records.add(line);
            }
        }
        if (header == null) {
            throw damaged(file, 1, "it has no complete header line");
        }
        return Optional.of(new JournalContents(file, header, records, folded, complete));
    }

    private static JournalLine decode(Path file, int lineNumber, String text,
                                      io.fleetform.engine.state.StateEncryption encryption) throws StateException {
        try {
            return JournalFormat.decode(text, encryption, "journal " + file + " line " + lineNumber);
        } catch (JournalFormat.UnsupportedVersionException e) {
            throw new StateException("cannot use journal " + file + ": " + e.getMessage() + "; finish that apply with "
                    + "the Fleetform that started it, or delete the journal to drop its changes", e);
        } catch (IOException e) {
            throw damaged(file, lineNumber, e.getMessage());
        }
    }

    private static StateException damaged(Path file, int lineNumber, String why) {
        return new StateException("journal " + file + " is damaged at line " + lineNumber + ": " + why
                + " (a crash can only cut the last line short)");
    }

    private static int lastNewline(byte[] bytes) {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
