package io.fleetform.engine.text;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Optional;

/**
 * A file-system failure in words, the same in every module that reads or writes the user's files (the command line,
 * the local state backend). Java's file exceptions often carry only a path as their message
 * ("AccessDeniedException: /x/state.json"), which tells a user nothing.
 */
public final class FileErrors {
    private FileErrors() {
    }

    /** "no such file or folder" and "permission denied": the two failures a user meets most, in plain words. */
    public static Optional<String> words(IOException e) {
        if (e instanceof NoSuchFileException) {
            return Optional.of("no such file or folder");
        }
        if (e instanceof AccessDeniedException) {
            return Optional.of("permission denied");
        }
        return Optional.empty();
    }

    /** Why it failed: {@link #words}, else the system's reason as it gives it, else the kind of failure. */
    public static String reason(FileSystemException e) {
        return words(e).orElseGet(() -> e.getReason() != null ? e.getReason() : e.getClass().getSimpleName());
    }
}
