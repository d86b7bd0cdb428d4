package io.fleetform.cli;

import io.fleetform.engine.text.FileErrors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A file the user named (a plan to read, an -out to write) that cannot be read or written is the
 * user's to fix, never "a bug in Fleetform": the message names the file and the reason in words
 * (Java's own message is often only the path).
 */
public final class FileProblem {
    private FileProblem() {
    }

    /** The file-system failure somewhere in {@code e}'s causes, as a message, if there is one. */
    public static Optional<String> of(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof FileSystemException fs && fs.getFile() != null) {
                return Optional.of("cannot use " + fs.getFile() + ": " + reason(fs));
            }
            if (t instanceof UncheckedIOException && t.getCause() == null) {
                break;
            }
        }
        return Optional.empty();
    }

    /** Why {@code file} could not be read or written. */
    public static String describe(Path file, IOException e) {
        return file + ": " + (e instanceof FileSystemException fs ? reason(fs)
                : e.getMessage() != null ? e.getMessage().toLowerCase(java.util.Locale.ROOT) : e.getClass().getSimpleName());
    }

    private static String reason(FileSystemException e) {
        // the system's own reason in lower case: it follows "cannot use FILE: "
        return FileErrors.words(e).orElseGet(() -> e.getReason() != null
                ? e.getReason().toLowerCase(java.util.Locale.ROOT) : e.getClass().getSimpleName());
    }
}
