package io.fleetform.provider.host.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.fleetform.provider.host.agent.AgentOptions;
import io.fleetform.provider.host.agent.AgentServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** https agents trusted by a pool's CA bundle or pinned certificate; plain HTTP to another machine is flagged. */
class AgentTrustTest {
    private static final String TOKEN = "trust-test-token-0123456789abcdef";

    @TempDir
    Path tmp;

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
    }

    @Test
    void httpsAgentsAreTrustedByTheirCaBundleOrPinAndNothingElse() throws Exception {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Path ks = tmp.resolve("agent.p12");
        run(keytool, "-genkeypair", "-alias", "agent", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=agent", "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore",
                ks.toString(), "-storepass", "changeit");
        Path pem = tmp.resolve("ca.pem");
        run(keytool, "-exportcert", "-rfc", "-alias", "agent", "-keystore", ks.toString(), "-storepass", "changeit",
                "-file", pem.toString());
        String pin;
        try (InputStream in = Files.newInputStream(pem)) {
            pin = AgentTrust.fingerprint(CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        Path token = Files.writeString(tmp.resolve("token"), TOKEN);
        try (AgentServer server = AgentServer.start(AgentOptions.of(new InetSocketAddress("127.0.0.1", 0), token,
                tmp.resolve("data")).withTls(ks, "changeit"));
             AgentDirectory agents = new AgentDirectory(tmp, Map.of("FLEETFORM_SECRET_T", TOKEN))) {
            String agent = "https://127.0.0.1:" + server.port();
            String ref = "secret(\"t\")";
            assertThat(agents.client(agent, Optional.empty(), ref, new AgentTrust(pem.toString(), null)).facts()
                    .agentId()).isNotBlank();
            assertThat(agents.client(agent, Optional.empty(), ref, new AgentTrust(null, pin)).facts().agentId())
                    .isNotBlank();
            Throwable wrongPin = catchThrowable(() -> agents.client(agent, Optional.empty(), ref,
                    new AgentTrust(null, "sha256:" + "00".repeat(32))).facts());
            assertThat(wrongPin).hasMessageContaining("SSLHandshakeException");
            Throwable untrusted = catchThrowable(() -> agents.client(agent, Optional.empty(), ref, AgentTrust.DEFAULT)
                    .facts());
            assertThat(untrusted).hasMessageContaining("SSLHandshakeException");
        }
    }

    @Test
    void plainHttpIsFlaggedOnlyForAnotherMachine() {
        for (String remote : List.of("10.20.0.11:7700", "http://agent-7.idc:7700")) {
            assertThat(AgentTrust.plainToAnotherMachine(remote)).as(remote).isTrue();
        }
        for (String fine : List.of("127.0.0.1:7700", "http://localhost:7700", "https://10.20.0.11:7443")) {
            assertThat(AgentTrust.plainToAnotherMachine(fine)).as(fine).isFalse();
        }
    }
}
