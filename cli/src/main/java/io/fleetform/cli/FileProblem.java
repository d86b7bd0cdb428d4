package io.fleetform.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
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
        if (e instanceof NoSuchFileException) {
            return "no such file or folder";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        String reason = e.getReason();
        return reason != null ? reason.toLowerCase(java.util.Locale.ROOT) : e.getClass().getSimpleName();
    }
}
