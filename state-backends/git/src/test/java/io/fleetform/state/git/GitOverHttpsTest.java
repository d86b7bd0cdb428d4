package io.fleetform.state.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetform.engine.state.SampleStates;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateBackend;
import io.fleetform.engine.testing.GitHttpServer;
import io.fleetform.engine.state.StateException;
import io.fleetform.engine.state.StateLock;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The git backend over https:// with a token, against {@code git http-backend} behind the JDK's
 * HttpsServer with a self-signed certificate this test makes with keytool; the backend trusts it
 * only through {@code ca_file}.
 */
class GitOverHttpsTest {
    private static final String TOKEN = "tok-" + Long.toHexString(new java.util.Random().nextLong());

    /** The server's key and its certificate as a CA file, made once for the class: keytool is a JVM start per step. */
    @TempDir
    static Path keys;
    static SSLContext tls;

    @TempDir
    Path dir;
    GitHttpServer server;
    Path bare;
    Path fleet;

    @BeforeAll
    static void makeKeys() throws Exception {
        Path keystore = keys.resolve("server.p12");
        TestGit.run(keys, "keytool", "-genkeypair", "-alias", "git", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit");
        TestGit.run(keys, "keytool", "-exportcert", "-rfc", "-alias", "git", "-keystore", keystore.toString(),
                "-storepass", "changeit", "-file", keys.resolve("git-ca.pem").toString());
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        managers.init(store, "changeit".toCharArray());
        tls = SSLContext.getInstance("TLS");
        tls.init(managers.getKeyManagers(), null, null);
    }

    @BeforeEach
    void startServer() throws Exception {
        bare = GitStateBackendContractTest.bareRepo(dir);
        fleet = Files.createDirectories(dir.resolve("fleet"));
        Files.copy(keys.resolve("git-ca.pem"), fleet.resolve("git-ca.pem"));
        server = GitHttpServer.serve(dir, "fleetform", TOKEN, tls);
        Files.writeString(dir.resolve("token"), TOKEN + "\n");
        Files.writeString(dir.resolve("wrong-token"), "wrong-" + TOKEN + "\n");
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private StateBackend backend(String... extra) throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of("url", server.url("remote.git"), "fleet", "t",
                "journal_push_seconds", "600"));
        for (int i = 0; i < extra.length; i += 2) {
            settings.put(extra[i], extra[i + 1]);
        }
        return new GitStateBackendFactory().create(fleet, settings);
    }

    @Test
    void writesLocksAndReadsTheStateOverHttpsTrustingTheCaFile() throws Exception {
        StateBackend backend = backend("token_file", "../token", "ca_file", "git-ca.pem");
        State state = SampleStates.withServices(3, 3);
        try (StateLock lock = backend.lock(io.fleetform.engine.state.LockInfo.forOperation("apply"))) {
            backend.write(state);
        }
        assertThat(backend("token_file", "../token", "ca_file", "git-ca.pem").read()).contains(state);
        // the branch is really on the server, and the token is nowhere in what was stored
        String log = TestGit.run(dir, "git", "--git-dir", bare.toString(), "log", "--all", "-p");
        assertThat(log).contains("Fleetform-Serial:").doesNotContain(TOKEN);
        assertNoFileHolds(fleet.resolve(".fleetform"), TOKEN);
    }

    @Test
    void aServerWhoseCertificateIsNotInCaFileIsRefused() throws Exception {
        assertThatThrownBy(() -> backend("token_file", "../token").read())
                .isInstanceOf(StateException.class)
                .hasMessageContaining(server.url("remote.git"))
                .hasMessageContaining("not trusted")
                .hasMessageContaining("ca_file")
                .hasMessageNotContaining(TOKEN);
        Path otherCa = dir.resolve("other.p12");
        TestGit.run(dir, "keytool", "-genkeypair", "-alias", "other", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=other", "-validity", "2", "-storetype", "PKCS12", "-keystore", otherCa.toString(),
                "-storepass", "changeit");
        TestGit.run(dir, "keytool", "-exportcert", "-rfc", "-alias", "other", "-keystore", otherCa.toString(),
                "-storepass", "changeit", "-file", fleet.resolve("other-ca.pem").toString());
        assertThatThrownBy(() -> backend("token_file", "../token", "ca_file", "other-ca.pem").read())
                .isInstanceOf(StateException.class)
                .hasMessageContaining("not trusted");
    }

    @Test
    void aWrongTokenIsA401ErrorThatNamesWhereTheTokenCameFromButNotTheToken() throws Exception {
        State state = SampleStates.withServices(1, 1);
        backend("token_file", "../token", "ca_file", "git-ca.pem").write(state);
        assertThatThrownBy(() -> backend("token_file", "../wrong-token", "ca_file", "git-ca.pem").write(
                SampleStates.withServices(2, 2)))
                .isInstanceOf(StateException.class)
                .hasMessageContaining("401 Unauthorized")
                .hasMessageContaining("token_file")
                .hasMessageNotContaining(TOKEN);
        assertThatThrownBy(() -> backend("token_env", "FLEETFORM_TEST_NO_SUCH_VARIABLE", "ca_file", "git-ca.pem")
                .read())
                .isInstanceOf(StateException.class)
                .hasMessageContaining("401 Unauthorized and no token was given")
                .hasMessageContaining("FLEETFORM_TEST_NO_SUCH_VARIABLE");
        assertThat(backend("token_file", "../token", "ca_file", "git-ca.pem").read()).contains(state);
    }

    @Test
    void aMissingOrBrokenCaFileNamesTheSettingAndTheFile() throws Exception {
        assertThatThrownBy(() -> backend("ca_file", "nope.pem"))
                .isInstanceOf(StateException.class)
                .hasMessage("backend \"git\": ca_file: the CA file " + fleet.resolve("nope.pem") + " does not exist");
        Files.writeString(fleet.resolve("empty.pem"), "");
        assertThatThrownBy(() -> backend("ca_file", "empty.pem"))
                .isInstanceOf(StateException.class)
                .hasMessage("backend \"git\": ca_file: the CA file " + fleet.resolve("empty.pem")
                        + " holds no certificate");
    }

    @Test
    void caFileIsOnlyForHttpsAndATokenIsNeverASetting() throws Exception {
        assertThatThrownBy(() -> new GitStateBackendFactory().create(fleet, Map.of("url", "file://" + bare,
                "ca_file", "git-ca.pem")))
                .isInstanceOf(StateException.class).hasMessageContaining("https:// urls only");
        assertThatThrownBy(() -> new GitStateBackendFactory().create(fleet, Map.of("url", server.url("remote.git"),
                "token", TOKEN)))
                .isInstanceOf(StateException.class).hasMessageContaining("has no setting \"token\"")
                .hasMessageNotContaining(TOKEN);
    }

    private static void assertNoFileHolds(Path root, String secret) throws Exception {
        byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1))
                        .as(file.toString()).doesNotContain(new String(needle, StandardCharsets.ISO_8859_1));
            }
        }
    }
}
