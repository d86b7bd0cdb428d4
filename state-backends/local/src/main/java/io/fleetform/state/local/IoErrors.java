package io.fleetform.state.local;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/**
 * The cause of an I/O failure in words. Java's file exceptions often carry only a path as their
 * message ("AccessDeniedException: /x/state.json"), which tells a user nothing.
 */
final class IoErrors {
    private IoErrors() {
    }

    static String describe(IOException e) {
        if (e instanceof AccessDeniedException denied) {
            return "permission denied" + on(denied);
        }
        if (e instanceof NoSuchFileException missing) {
            return "no such file or folder" + on(missing);
        }
        if (e instanceof FileSystemException fs) {
            return (fs.getReason() != null ? fs.getReason() : fs.getClass().getSimpleName()) + on(fs);
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static String on(FileSystemException e) {
        return e.getFile() == null ? "" : " (" + e.getFile() + ")";
    }
}
