package io.fleetform.source.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a user sees for each fault of a CA file, before any connection is made. */
class HttpsTrustTest {
    @TempDir
    Path dir;

    @Test
    void aMissingFileIsNamedAbsolute() {
        Path relative = Path.of("no-such-ca.pem");
        assertThatThrownBy(() -> HttpsTrust.fromFile(relative))
                .isInstanceOf(GitException.class)
                .hasMessage("the CA file " + relative.toAbsolutePath().normalize() + " does not exist");
    }

    @Test
    void aFileWithoutCertificatesIsRefused() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        assertThatThrownBy(() -> HttpsTrust.fromFile(empty))
                .isInstanceOf(GitException.class)
                .hasMessage("the CA file " + empty + " holds no certificate");
    }

    @Test
    void aFileThatIsNotACertificateSaysSo() throws Exception {
        Path garbage = Files.writeString(dir.resolve("key.pem"),
                "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> HttpsTrust.fromFile(garbage))
                .isInstanceOf(GitException.class)
                .hasMessageStartingWith("the CA file " + garbage + " is not a PEM or DER certificate: ");
    }

    @Test
    void aCertificateIsReadAndItsFileKept() throws Exception {
        Path keystore = dir.resolve("ca.p12");
        Path pem = dir.resolve("ca.pem");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=ca",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "changeit");
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", keystore.toString(), "-storepass", "changeit",
                "-file", pem.toString());
        assertThat(HttpsTrust.fromFile(dir.resolve(".").resolve("ca.pem")).file()).isEqualTo(pem);
    }

    private void keytool(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        System.arraycopy(args, 0, command, 1, args.length);
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).as(output).isZero();
    }
}
