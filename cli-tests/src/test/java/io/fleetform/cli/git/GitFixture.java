package io.fleetform.cli.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Real Git repositories for tests, made with the {@code git} command: a bare repository (what a
 * Git server holds) and a clone to commit and push from, as a developer would.
 */
public final class GitFixture {
    public final Path bare;
    public final Path clone;

    private GitFixture(Path bare, Path clone) {
        this.bare = bare;
        this.clone = clone;
    }

    public static GitFixture create(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path bare = dir.resolve("fleets.git");
        Path clone = dir.resolve("clone");
        git(dir, "init", "-q", "--bare", "-b", "main", bare.toString());
        git(dir, "init", "-q", "-b", "main", clone.toString());
        git(clone, "config", "user.name", "Ann Reviewer");
        git(clone, "config", "user.email", "ann@example.com");
        git(clone, "config", "commit.gpgsign", "false");
        git(clone, "remote", "add", "origin", bare.toString());
        return new GitFixture(bare, clone);
    }

    /** The file:// URL of the bare repository. */
    public String fileUrl() {
        return bare.toUri().toString();
    }

    public void write(String path, String text) throws IOException {
        Path file = clone.resolve(path).normalize();
        if (!file.startsWith(clone) || Path.of(path).isAbsolute()) {
            throw new IllegalArgumentException("not a path inside the clone: " + path);
        }
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    public void delete(String path) throws IOException {
        Files.delete(clone.resolve(path));
    }

    /** Commits everything and pushes the current branch; returns the commit's SHA. */
    public String commit(String message) throws IOException {
        git(clone, "add", "-A");
        git(clone, "commit", "-q", "-m", message);
        git(clone, "push", "-q", "-f", "origin", "HEAD");
        return git(clone, "rev-parse", "HEAD").strip();
    }

    public void checkout(String branch, boolean create) throws IOException {
        if (create) {
            git(clone, "checkout", "-q", "-b", branch);
        } else {
            git(clone, "checkout", "-q", branch);
        }
    }

    /** Merges {@code branch} into the current one with a merge commit, as a pull request's merge button does. */
    public String merge(String branch) throws IOException {
        git(clone, "merge", "-q", "--no-ff", "-m", "Merge " + branch, branch);
        git(clone, "push", "-q", "origin", "HEAD");
        return git(clone, "rev-parse", "HEAD").strip();
    }

    public static String git(Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(Map.of("GIT_CONFIG_NOSYSTEM", "1", "GIT_TERMINAL_PROMPT", "0",
                "GIT_AUTHOR_NAME", "Ann Reviewer", "GIT_AUTHOR_EMAIL", "ann@example.com",
                "GIT_COMMITTER_NAME", "Ann Reviewer", "GIT_COMMITTER_EMAIL", "ann@example.com"));
        Process process = builder.start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("git " + String.join(" ", args) + " did not finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IOException("git " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }
}
