package io.fleetform.source.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fleetform.engine.testing.Loopback;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet read over ssh:// from a real OpenSSH server on loopback (Debian's openssh-server,
 * installed by .ci/run), with a key and known_hosts from {@code FLEETFORM_GIT_SSH_DIR}; an
 * unknown host key is refused.
 */
class SshFetchTest {
    private static final Path SSHD = Path.of("/usr/sbin/sshd");

    @TempDir
    Path dir;
    Process sshd;
    int port;
    Path sshDir;
    Path bare;

    @BeforeEach
    void server() throws Exception {
        assumeTrue(Files.isExecutable(SSHD), "needs openssh-server (.ci/run installs it)");
        assumeTrue("root".equals(System.getProperty("user.name")), "sshd is started as root, as in CI");
        Files.createDirectories(Path.of("/run/sshd"));
        sshDir = Files.createDirectories(dir.resolve("client/.ssh"));
        run(dir, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("host_key").toString());
        run(dir, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", sshDir.resolve("id_ed25519").toString());
        Files.copy(sshDir.resolve("id_ed25519.pub"), dir.resolve("authorized_keys"));
        port = Loopback.freePort();
        Files.writeString(dir.resolve("sshd_config"), String.join("\n", "Port " + port, "ListenAddress 127.0.0.1",
                "HostKey " + dir.resolve("host_key"), "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "PasswordAuthentication no", "KbdInteractiveAuthentication no", "PubkeyAuthentication yes",
                "PermitRootLogin prohibit-password", "StrictModes no", "UsePAM no",
                "PidFile " + dir.resolve("sshd.pid"), "") );
        Files.setPosixFilePermissions(dir.resolve("host_key"), PosixFilePermissions.fromString("rw-------"));
        sshd = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                break;
            } catch (IOException notYet) {
                if (!sshd.isAlive() || System.nanoTime() > until) {
                    throw new IOException("sshd did not start: " + Files.readString(dir.resolve("sshd.log")));
                }
                Thread.sleep(100);
            }
        }
        bare = dir.resolve("fleets.git");
        Path clone = dir.resolve("clone");
        run(dir, "git", "init", "-q", "--bare", "-b", "main", bare.toString());
        run(dir, "git", "init", "-q", "-b", "main", clone.toString());
        Files.createDirectories(clone.resolve("fleets/arena"));
        Files.writeString(clone.resolve("fleets/arena/main.fleet"), "fleet \"arena\" {\n  owner = \"ops\"\n}\n");
        run(clone, "git", "add", "-A");
        run(clone, "git", "-c", "user.name=Ann", "-c", "user.email=ann@example.com", "commit", "-q", "-m", "arena");
        run(clone, "git", "push", "-q", bare.toString(), "main");
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (sshd != null) {
            sshd.destroy();
            sshd.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void readsACommitOverSshWithAKnownHostAndADeployKey() throws Exception {
        String hostKey = Files.readString(dir.resolve("host_key.pub")).trim();
        Files.writeString(sshDir.resolve("known_hosts"), "[127.0.0.1]:" + port + " " + hostKey + "\n");
        String url = "ssh://root@127.0.0.1:" + port + bare;
        try (GitRepository repository = GitRepository.open(url, List.of("main"),
                Map.of("FLEETFORM_GIT_SSH_DIR", sshDir.toString()));
             CommitTree tree = CommitTree.open(repository, "main", "fleets/arena")) {
            assertThat(Files.readString(tree.root().resolve("main.fleet"))).contains("fleet \"arena\"");
            assertThat(tree.provenance().repository()).isEqualTo(url);
            assertThat(tree.provenance().author()).isEqualTo("Ann <ann@example.com>");
        }
    }

    @Test
    void anUnknownHostIsRefused() throws IOException {
        Files.writeString(sshDir.resolve("known_hosts"), "");
        String url = "ssh://root@127.0.0.1:" + port + bare;
        assertThatThrownBy(() -> GitRepository.open(url, List.of("main"), Map.of("FLEETFORM_GIT_SSH_DIR",
                sshDir.toString()))).isInstanceOf(GitException.class).hasMessageContaining("cannot read the repository");
    }

    private static void run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(command))).directory(dir.toFile()).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }
}
