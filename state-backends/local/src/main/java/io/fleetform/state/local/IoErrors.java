package io.fleetform.state.local;

import io.fleetform.engine.text.FileErrors;
import java.io.IOException;
import java.nio.file.FileSystemException;

/**
 * The cause of an I/O failure in words ({@link FileErrors}, as the command line says them), with the file.
 */
final class IoErrors {
    private IoErrors() {
    }

    static String describe(IOException e) {
        if (e instanceof FileSystemException fs) {
            return FileErrors.reason(fs) + on(fs);
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static String on(FileSystemException e) {
        return e.getFile() == null ? "" : " (" + e.getFile() + ")";
    }
}
