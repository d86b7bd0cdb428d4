package io.fleetform.cli.git;

import io.fleetform.engine.testing.Loopback;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH server on a free loopback port (Debian's openssh-server), accepting one client
 * key; the client's ssh folder ({@code FLEETFORM_GIT_SSH_DIR}) holds that key, and its
 * known_hosts the server's key only when {@link #trust()} is called. Needs root, as CI runs.
 */
final class Sshd implements AutoCloseable {
    static final Path SSHD = Path.of("/usr/sbin/sshd");

    private final Process process;
    final int port;
    final Path clientDir;
    private final Path hostKey;

    private Sshd(Process process, int port, Path clientDir, Path hostKey) {
        this.process = process;
        this.port = port;
        this.clientDir = clientDir;
        this.hostKey = hostKey;
    }

    static boolean available() {
        return Files.isExecutable(SSHD) && "root".equals(System.getProperty("user.name"));
    }

    static Sshd start(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(Path.of("/run/sshd"));
        Path clientDir = Files.createDirectories(dir.resolve("client/.ssh"));
        Path hostKey = dir.resolve("host_key");
        run(dir, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey.toString());
        run(dir, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", clientDir.resolve("id_ed25519").toString());
        Files.copy(clientDir.resolve("id_ed25519.pub"), dir.resolve("authorized_keys"));
        Files.writeString(clientDir.resolve("known_hosts"), "");
        int port = Loopback.freePort();
        Files.writeString(dir.resolve("sshd_config"), String.join("\n", "Port " + port, "ListenAddress 127.0.0.1",
                "HostKey " + hostKey, "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "PasswordAuthentication no", "KbdInteractiveAuthentication no", "PubkeyAuthentication yes",
                "PermitRootLogin prohibit-password", "StrictModes no", "UsePAM no", "PidFile " + dir.resolve("sshd.pid"),
                ""));
        Files.setPosixFilePermissions(hostKey, PosixFilePermissions.fromString("rw-------"));
        Process process = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return new Sshd(process, port, clientDir, hostKey);
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > until) {
                    process.destroyForcibly();
                    throw new IOException("sshd did not start: " + Files.readString(dir.resolve("sshd.log")));
                }
                Thread.sleep(100);
            }
        }
    }

    /** Adds the server's host key to the client's known_hosts. */
    void trust() throws IOException {
        Files.writeString(clientDir.resolve("known_hosts"), "[127.0.0.1]:" + port + " "
                + Files.readString(Path.of(hostKey + ".pub")).trim() + "\n");
    }

    /** The ssh:// URL of a repository at an absolute path of this machine. */
    String url(Path repository) {
        return "ssh://root@127.0.0.1:" + port + repository;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    private static void run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }
}
