package io.fleetform.state.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fleetform.engine.state.LockInfo;
import io.fleetform.engine.state.SampleStates;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateException;
import io.fleetform.engine.state.StateLock;
import io.fleetform.engine.state.StateLockedException;
import io.fleetform.engine.testing.Loopback;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The git backend over ssh:// through JGit's Apache MINA SSH module, against a real OpenSSH
 * {@code sshd} on loopback with a key pair and a host key this test makes; known_hosts is checked.
 */
class GitOverSshTest {
    private static final Path SSHD = Path.of("/usr/sbin/sshd");

    @TempDir
    Path dir;
    Process sshd;
    int port;
    Path bare;
    Path clientSsh;

    @BeforeEach
    void startSshd() throws Exception {
        assumeTrue(Files.isExecutable(SSHD), "openssh-server is not installed (.ci/run installs it)");
        bare = GitStateBackendContractTest.bareRepo(dir);
        Path server = Files.createDirectories(dir.resolve("sshd"));
        clientSsh = Files.createDirectories(dir.resolve("client/.ssh"));
        TestGit.run(dir, "ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-f",
                server.resolve("host_key").toString());
        TestGit.run(dir, "ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-f",
                clientSsh.resolve("id_ecdsa").toString());
        Files.copy(clientSsh.resolve("id_ecdsa.pub"), server.resolve("authorized_keys"));
        port = Loopback.freePort();
        Files.createDirectories(Path.of("/run/sshd"));
        Files.writeString(server.resolve("sshd_config"), String.join("\n",
                "Port " + port, "ListenAddress 127.0.0.1", "HostKey " + server.resolve("host_key"),
                "AuthorizedKeysFile " + server.resolve("authorized_keys"), "PidFile " + server.resolve("sshd.pid"),
                "PasswordAuthentication no", "KbdInteractiveAuthentication no", "PubkeyAuthentication yes",
                "PermitRootLogin prohibit-password", "StrictModes no", "UsePAM no", "") );
        sshd = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", server.resolve("sshd_config").toString())
                .redirectErrorStream(true).redirectOutput(server.resolve("sshd.log").toFile()).start();
        for (int i = 0; i < 100; i++) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                break;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        String hostKey = Files.readString(server.resolve("host_key.pub")).strip().replaceFirst(" [^ ]*$", "");
        Files.writeString(clientSsh.resolve("known_hosts"), "[127.0.0.1]:" + port + " " + hostKey + "\n");
    }

    @AfterEach
    void stopSshd() {
        if (sshd != null) {
            sshd.destroyForcibly();
        }
    }

    private GitStateBackend machine(String name) throws Exception {
        Path work = Files.createDirectories(dir.resolve(name));
        return (GitStateBackend) new GitStateBackendFactory().create(work, Map.of("url", url(), "fleet", "t",
                "ssh_dir", clientSsh.toString()));
    }

    private String url() {
        return "ssh://" + System.getProperty("user.name") + "@127.0.0.1:" + port + bare;
    }

    @Test
    void stateAndLockWorkOverSshWithTheHostKeyChecked() throws Exception {
        GitStateBackend a = machine("a");
        State state = SampleStates.withServices(3, 1);
        try (StateLock lock = a.lock(LockInfo.forOperation("apply"))) {
            a.write(state);
            assertThatThrownBy(() -> machine("b").lock(LockInfo.forOperation("plan")))
                    .isInstanceOf(StateLockedException.class).hasMessageContaining(lock.info().id());
        }
        assertThat(machine("b").read()).contains(state);
        assertThat(TestGit.run(dir, "git", "--git-dir", bare.toString(), "log", "--format=%s", "fleetform-state"))
                .contains("fleetform state serial 1: apply by ");
    }

    @Test
    void anUnknownHostKeyIsRefused() throws Exception {
        Files.writeString(clientSsh.resolve("known_hosts"), "");
        assertThatThrownBy(() -> machine("a").read()).isInstanceOf(StateException.class)
                .hasMessageContaining("cannot reach the git state repository " + url())
                .hasMessageContaining("Server key did not validate");
    }
}
