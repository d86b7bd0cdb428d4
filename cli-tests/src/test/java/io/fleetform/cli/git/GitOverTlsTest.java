package io.fleetform.cli.git;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.cli.CliRunnerAccess;
import io.fleetform.cli.ExitCode;
import io.fleetform.engine.testing.GitHttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --git https://…} end to end against {@code git http-backend} behind TLS, with a server
 * certificate signed by a private CA this test makes with keytool: trusted through
 * {@code --git-ca-file} or {@code FLEETFORM_GIT_CA_FILE}, and refused, naming the host, when
 * nothing or the wrong CA trusts it.
 */
class GitOverTlsTest {
    private static final String TOKEN = "tok-SECRET-" + Long.toHexString(new java.util.Random().nextLong());

    /** The CAs and the server's key, made once for the class: keytool is a JVM start per step. */
    @TempDir
    static Path keys;
    static Path ca;
    static Path otherCa;
    static SSLContext tls;

    @TempDir
    Path dir;
    GitFixture git;
    GitHttpServer server;
    Path work;
    String first;
    Map<String, String> env;

    @BeforeAll
    static void keys() throws Exception {
        ca = keys.resolve("ca.pem");
        otherCa = keys.resolve("other-ca.pem");
        keytool(keys, "-genkeypair", "-alias", "ca", "-dname", "CN=Arena Test CA", "-ext", "bc:c", "-keystore", "ca.p12");
        keytool(keys, "-exportcert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-file", "ca.pem");
        keytool(keys, "-genkeypair", "-alias", "other", "-dname", "CN=Another CA", "-ext", "bc:c", "-keystore",
                "other.p12");
        keytool(keys, "-exportcert", "-rfc", "-alias", "other", "-keystore", "other.p12", "-file", "other-ca.pem");
        keytool(keys, "-genkeypair", "-alias", "git", "-dname", "CN=127.0.0.1", "-keystore", "server.p12");
        keytool(keys, "-certreq", "-alias", "git", "-keystore", "server.p12", "-file", "server.csr");
        keytool(keys, "-gencert", "-alias", "ca", "-keystore", "ca.p12", "-infile", "server.csr", "-ext",
                "san=ip:127.0.0.1", "-rfc", "-outfile", "server.pem");
        keytool(keys, "-importcert", "-alias", "ca", "-file", "ca.pem", "-keystore", "server.p12", "-noprompt");
        keytool(keys, "-importcert", "-alias", "git", "-file", "server.pem", "-keystore", "server.p12", "-noprompt");
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keys.resolve("server.p12"))) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        managers.init(store, "changeit".toCharArray());
        tls = SSLContext.getInstance("TLS");
        tls.init(managers.getKeyManagers(), null, null);
    }

    @BeforeEach
    void server() throws Exception {
        git = GitFixture.create(dir.resolve("repos"));
        ArenaFleet.write(git, "fleets/arena", 2, "1Gi");
        first = git.commit("arena: two zones");
        work = Files.createDirectories(dir.resolve("work"));
        server = GitHttpServer.serve(dir.resolve("repos"), "ci", TOKEN, tls);
        env = new HashMap<>(Map.of("FLEETFORM_TEST_WORLD", dir.resolve("world").toString(), "FLEETFORM_GIT_USERNAME",
                "ci", "FLEETFORM_GIT_PASSWORD", TOKEN));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private CliRunnerAccess.Result run(String... args) {
        return CliRunnerAccess.run(env, args);
    }

    @Test
    void plansAndAppliesOverHttpsTrustingThePrivateCa() throws IOException {
        String url = server.url("fleets.git");
        Path plan = work.resolve("plan.json");
        var planned = run("plan", work.toString(), "--git", url, "--ref", "main", "--path", "fleets/arena",
                "--git-ca-file", ca.toString(), "-out", plan.toString());
        assertThat(planned.exitCode()).as(planned.out() + planned.err()).isEqualTo(ExitCode.OK);
        assertThat(planned.out()).contains("From " + url + " main @ " + first.substring(0, 12)).doesNotContain(TOKEN);
        assertThat(Files.readString(plan)).contains("\"repository\" : \"" + url + "\"").doesNotContain(TOKEN);

        // The CA from the environment, as CI sets it once for every step.
        env.put("FLEETFORM_GIT_CA_FILE", ca.toString());
        var applied = run("apply", work.toString(), "--git", url, "--ref", "main", "--path", "fleets/arena", "--plan",
                plan.toString(), "--require-ref", "main", "--approve-stage", "rest");
        assertThat(applied.exitCode()).as(applied.out() + applied.err()).isEqualTo(ExitCode.OK);
        var diff = run("diff", "--git", url, "--base", "main", "--head", "main", "--path", "fleets/arena");
        assertThat(diff.exitCode()).as(diff.err()).isEqualTo(ExitCode.OK);
        var inspect = run("inspect", work.toString(), "--git", url, "--path", "fleets/arena");
        assertThat(inspect.exitCode()).as(inspect.err()).isEqualTo(ExitCode.OK);
    }

    @Test
    void anUntrustedCertificateIsRefusedNamingTheHost() {
        String url = server.url("fleets.git");
        String host = url.substring("https://".length(), url.indexOf("/fleets.git"));

        var untrusted = run("validate", work.toString(), "--git", url, "--path", "fleets/arena");
        assertThat(untrusted.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(untrusted.err()).contains("cannot read the repository " + url)
                .contains("the TLS certificate of " + host + " is not trusted by this JVM's trust store")
                .contains("--git-ca-file FILE").doesNotContain("Exception").doesNotContain(TOKEN);

        var wrongCa = run("diff", "--git", url, "--base", "main", "--head", "main", "--path", "fleets/arena",
                "--git-ca-file", otherCa.toString());
        assertThat(wrongCa.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(wrongCa.err()).contains("the TLS certificate of " + host + " is not trusted by the CA file "
                + otherCa).doesNotContain("Exception");

        // The certificate names 127.0.0.1, not localhost: the right CA does not make another name right.
        String byName = url.replace("127.0.0.1", "localhost");
        var wrongName = run("validate", work.toString(), "--git", byName, "--path", "fleets/arena", "--git-ca-file",
                ca.toString());
        assertThat(wrongName.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(wrongName.err()).contains("the TLS certificate of localhost:").contains("does not name localhost");

        var missing = run("validate", work.toString(), "--git", url, "--git-ca-file", dir.resolve("nope.pem").toString());
        assertThat(missing.exitCode()).isEqualTo(ExitCode.ERROR);
        assertThat(missing.err()).contains("the CA file " + dir.resolve("nope.pem") + " does not exist");
        assertThat(run("validate", work.toString(), "--git-ca-file", ca.toString()).exitCode())
                .isEqualTo(ExitCode.USAGE);
    }

    @Test
    void theJvmsTrustStoreIsTrustedToo() throws Exception {
        // The standard Java setting, as FLEETFORM_JAVA_OPTS=-Djavax.net.ssl.trustStore=… passes it to the command.
        keytool(keys, "-importcert", "-alias", "arena-ca", "-file", "ca.pem", "-keystore", "trust.p12", "-noprompt");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djavax.net.ssl.trustStore=" + keys.resolve("trust.p12"), "-Djavax.net.ssl.trustStorePassword=changeit",
                "-Djavax.net.ssl.trustStoreType=PKCS12", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), "io.fleetform.cli.Main", "validate", work.toString(), "--git",
                server.url("fleets.git"), "--path", "fleets/arena");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        assertThat(out).contains("The fleet \"arena\" is valid");
    }

    private static void keytool(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                .toString()));
        command.addAll(List.of(args));
        if (List.of(args).contains("-genkeypair")) {
            command.addAll(List.of("-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2"));
        }
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", "changeit"));
        if (List.of(args).contains("-gencert")) {
            command.addAll(List.of("-validity", "2"));
        }
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
        }
    }
}
