package io.fleetform.engine.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The words for file-system failures the command line and the local state backend both use, from real failures. */
class FileErrorsTest {
    @TempDir
    Path dir;

    private static FileSystemException failure(IoAction action) {
        try {
            action.run();
        } catch (FileSystemException e) {
            return e;
        } catch (IOException e) {
            throw new AssertionError("not a file-system failure: " + e);
        }
        throw new AssertionError("did not fail");
    }

    private interface IoAction {
        void run() throws IOException;
    }

    @Test
    void aMissingFileAndAReadOfAFolderAreSaidInWords() throws IOException {
        FileSystemException missing = failure(() -> Files.readString(dir.resolve("nope.json")));
        assertThat(FileErrors.words(missing)).contains("no such file or folder");
        assertThat(FileErrors.reason(missing)).isEqualTo("no such file or folder");

        Path file = Files.writeString(dir.resolve("file"), "x");
        FileSystemException notAFolder = failure(() -> Files.createFile(file.resolve("child")));
        assertThat(FileErrors.words(notAFolder)).isEmpty();
        assertThat(FileErrors.reason(notAFolder)).isEqualTo(notAFolder.getReason() != null ? notAFolder.getReason()
                : notAFolder.getClass().getSimpleName()).doesNotContain(dir.toString());
    }

    @Test
    void aRefusedAccessIsPermissionDenied() {
        // root reads anything: the exception the file system throws for a refusal, as it comes
        assertThat(FileErrors.reason(new java.nio.file.AccessDeniedException("/x/state.json")))
                .isEqualTo("permission denied");
        assertThat(FileErrors.reason(new FileSystemException("/x", null, "Read-only file system")))
                .isEqualTo("Read-only file system");
        assertThat(FileErrors.reason(new FileSystemException("/x"))).isEqualTo("FileSystemException");
    }
}
