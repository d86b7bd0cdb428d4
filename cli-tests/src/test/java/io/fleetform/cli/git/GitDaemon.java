package io.fleetform.cli.git;

import io.fleetform.engine.testing.Loopback;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code git daemon} on a free loopback port, serving the repositories under one folder (git://). */
public final class GitDaemon implements AutoCloseable {
    private final Process process;
    private final int port;

    private GitDaemon(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static GitDaemon serve(Path base) throws IOException, InterruptedException {
        int port = Loopback.freePort();
        Process process = new ProcessBuilder(List.of("git", "daemon", "--reuseaddr", "--export-all",
                "--listen=127.0.0.1", "--port=" + port, "--base-path=" + base, base.toString()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < until) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return new GitDaemon(process, port);
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IOException("git daemon exited with " + process.exitValue());
                }
                Thread.sleep(100);
            }
        }
        process.destroyForcibly();
        throw new IOException("git daemon did not listen on port " + port);
    }

    /** The git:// URL of a repository folder under the base path. */
    public String url(String name) {
        return "git://127.0.0.1:" + port + "/" + name;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
