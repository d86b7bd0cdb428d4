package io.fleetform.reliability;

import io.fleetform.engine.testing.Loopback;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/** A real {@code fleetform agent} process on loopback, with its own token file and data folder. */
record Agent(Cli.Running process, int port, Path dataDir, String token) implements AutoCloseable {

    static Agent start(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        String token = "reliability-token-" + Long.toHexString(System.nanoTime()) + "-0123456789";
        Path tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, token);
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
        Path data = dir.resolve("data");
        int port = freePort();
        Cli.Running process = Cli.start(dir, Map.of(), "agent", "--listen", "127.0.0.1:" + port, "--token-file",
                tokenFile.toString(), "--data-dir", data.toString());
        Agent agent = new Agent(process, port, data, token);
        long deadline = System.currentTimeMillis() + 60_000;
        while (!listening(port)) {
            if (!process.process().isAlive() || System.currentTimeMillis() > deadline) {
                agent.close();
                throw new IOException("the agent did not start: " + process.output());
            }
            Thread.sleep(100);
        }
        return agent;
    }

    /** A leased port below the ephemeral ones (see {@link Loopback#freePort}). */
    static int freePort() {
        return Loopback.freePort();
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.process().destroy();
        if (!process.process().waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
            process.kill();
        }
    }
}
