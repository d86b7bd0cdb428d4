package io.fleetform.state.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The git command line, for what a user would do to a state repository by hand. */
final class TestGit {
    private TestGit() {
    }

    static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    /** Clones the branch, replaces one file, commits and pushes: a hand edit. */
    static void commitFile(Path bare, String branch, String path, byte[] content, String message) throws Exception {
        Path work = Files.createTempDirectory(bare.getParent(), "hand-edit");
        run(work, "git", "clone", "-q", "-b", branch, bare.toUri().toString(), "w");
        Path clone = work.resolve("w");
        Files.createDirectories(clone.resolve(path).getParent());
        Files.write(clone.resolve(path), content);
        run(clone, "git", "-c", "user.name=ops", "-c", "user.email=ops@example.org", "commit", "-q", "-am", message);
        run(clone, "git", "push", "-q", "origin", branch);
    }
}
