package io.fleetform.provider.registry.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.provider.registry.auth.Credentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryConnectionTest {

    @TempDir
    Path dir;

    private static RegistryConnection connection(String url, boolean insecure) {
        return new RegistryConnection("r", url, Optional.empty(), Optional.empty(), Optional.empty(), insecure);
    }

    @Test
    void equalWhenEveryComponentIsAndHashedAsTheGeneratedRecordMethodsWould() {
        RegistryConnection a = new RegistryConnection("r", "h:1", Optional.of("u"), Optional.of("env T"),
                Optional.of("s"), true);
        assertThat(a).isEqualTo(new RegistryConnection("r", "h:1", Optional.of("u"), Optional.of("env T"),
                Optional.of("s"), true)).hasSameHashCodeAs(new RegistryConnection("r", "h:1", Optional.of("u"),
                Optional.of("env T"), Optional.of("s"), true));
        assertThat(a)
                .isNotEqualTo(new RegistryConnection("x", "h:1", Optional.of("u"), Optional.of("env T"), Optional.of("s"), true))
                .isNotEqualTo(new RegistryConnection("r", "h:2", Optional.of("u"), Optional.of("env T"), Optional.of("s"), true))
                .isNotEqualTo(new RegistryConnection("r", "h:1", Optional.empty(), Optional.of("env T"), Optional.of("s"), true))
                .isNotEqualTo(new RegistryConnection("r", "h:1", Optional.of("u"), Optional.empty(), Optional.of("s"), true))
                .isNotEqualTo(new RegistryConnection("r", "h:1", Optional.of("u"), Optional.of("env T"), Optional.of("t"), true))
                .isNotEqualTo(new RegistryConnection("r", "h:1", Optional.of("u"), Optional.of("env T"), Optional.of("s"), false))
                .isNotEqualTo(null);
        int generated = 0;
        for (Object c : new Object[] {"r", "h:1", Optional.of("u"), Optional.of("env T"), Optional.of("s"), true}) {
            generated = 31 * generated + c.hashCode();
        }
        assertThat(a.hashCode()).isEqualTo(generated);
    }

    @Test
    void httpsByDefaultHttpOnLoopbackWhenInsecureOrWhenTheUrlSaysSo() {
        assertThat(connection("registry.example.internal", false).endpoint().baseUri())
                .hasToString("https://registry.example.internal");
        assertThat(connection("127.0.0.1:5000", false).endpoint().baseUri()).hasToString("http://127.0.0.1:5000");
        assertThat(connection("10.0.0.5:5000", true).endpoint().baseUri()).hasToString("http://10.0.0.5:5000");
        assertThat(connection("http://10.0.0.5:5000/", false).endpoint().baseUri()).hasToString("http://10.0.0.5:5000");
        RegistryConnection withScheme = connection("https://mirror.example:8443/", true);
        assertThat(withScheme.endpoint().baseUri()).hasToString("https://mirror.example:8443");
        assertThat(withScheme.host()).isEqualTo("mirror.example:8443");
    }

    @Test
    void secretsAreReadAgainFromTheirSourceAndOnlyLiteralsTravelInTheResource() throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("TOKEN", "t0k3n", "FLEETFORM_SECRET_HUB_PW", "pw1"));
        assertThat(RegistryConnection.readSource("env TOKEN", env)).contains("t0k3n");
        assertThat(RegistryConnection.readSource("secret hub-pw", env)).contains("pw1");
        Files.writeString(dir.resolve("other"), "pw2\n");
        env.put("FLEETFORM_SECRETS_DIR", dir.toString());
        assertThat(RegistryConnection.readSource("secret other", env)).contains("pw2");
        assertThat(RegistryConnection.readSource("literal", env)).isEmpty();

        RegistryConnection fromEnv = new RegistryConnection("hub", "hub.example", Optional.of("ci"),
                Optional.of("env TOKEN"), Optional.of("t0k3n"), false);
        Map<String, Object> attributes = new HashMap<>();
        Set<String> sensitive = new HashSet<>();
        fromEnv.putAttributes("source", attributes, sensitive);
        assertThat(attributes).containsOnlyKeys("source", "source_url", "source_username", "source_auth_source");
        assertThat(sensitive).isEmpty();
        RegistryConnection back = RegistryConnection.fromAttributes("source", attributes, false);
        assertThat(back.credentials(env)).isEqualTo(Credentials.basic("ci", "t0k3n"));

        RegistryConnection literal = new RegistryConnection("hub", "hub.example", Optional.empty(),
                Optional.of("literal"), Optional.of("s3cret"), false);
        literal.putAttributes("target", attributes, sensitive);
        assertThat(sensitive).containsExactly("target_auth");
        assertThat(RegistryConnection.fromAttributes("target", attributes, true).credentials(Map.of()))
                .isEqualTo(Credentials.bearer("s3cret"));
        assertThat(RegistryConnection.fromAttributes("target", attributes, false).credentials(Map.of()))
                .isEqualTo(Credentials.anonymous());
        assertThat(literal.toString()).doesNotContain("s3cret");
    }

    @Test
    void theDockerConfigComesFromTheRunsEnvironment() {
        assertThat(RegistryConnection.dockerConfig(Map.of("DOCKER_CONFIG", "/etc/ci", "HOME", "/home/x")))
                .contains(Path.of("/etc/ci/config.json"));
        assertThat(RegistryConnection.dockerConfig(Map.of("HOME", "/home/x")))
                .contains(Path.of("/home/x/.docker/config.json"));
        assertThat(RegistryConnection.dockerConfig(Map.of())).isEmpty();
    }

    @Test
    void agentsAreHttpsExceptOnLoopback() {
        assertThat(Prepull.agentUri("10.20.0.11:7700")).hasToString("https://10.20.0.11:7700");
        assertThat(Prepull.agentUri("127.0.0.1:7700")).hasToString("http://127.0.0.1:7700");
        assertThat(Prepull.agentUri("[::1]:7700")).hasToString("http://[::1]:7700");
    }
}
