package io.fleetform.provider.registry.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsTest {

    @TempDir
    Path dir;

    @Test
    void toStringNeverShowsASecret() {
        assertThat(Credentials.basic("ci", "hunter2-secret")).hasToString("Basic[username=ci, password=****, origin=]");
        assertThat(Credentials.bearer("eyJ.token.sig").toString()).doesNotContain("eyJ").contains("****");
        assertThat(Credentials.basic("ci", "hunter2-secret").describe()).isEqualTo("basic credentials for user \"ci\"");
    }

    @Test
    void looksUpADockerConfigByHostWhateverTheKeyStyle() throws Exception {
        Path config = write("{\"auths\":{"
                + "\"https://index.docker.io/v1/\":{\"auth\":\"" + b64("hub:hubpass") + "\"},"
                + "\"http://127.0.0.1:5001\":{\"auth\":\"" + b64("ci:pa:ss") + "\"},"
                + "\"ghcr.io\":{\"username\":\"bot\",\"password\":\"ghp\"},"
                + "\"tokens.example\":{\"registrytoken\":\"tok\"}}}");
        Credentials lookup = Credentials.dockerConfig(config);

        Credentials.Basic local = (Credentials.Basic) lookup.forRegistry("127.0.0.1:5001");
        assertThat(local.username()).isEqualTo("ci");
        assertThat(local.password().reveal()).isEqualTo("pa:ss");
        assertThat(local.describe()).isEqualTo("basic credentials for user \"ci\" from entry \"http://127.0.0.1:5001\""
                + " of docker config " + config);
        assertThat(((Credentials.Basic) lookup.forRegistry("docker.io")).username()).isEqualTo("hub");
        assertThat(((Credentials.Basic) lookup.forRegistry("ghcr.io")).username()).isEqualTo("bot");
        assertThat(lookup.forRegistry("tokens.example")).isInstanceOf(Credentials.BearerToken.class);
        assertThat(lookup.forRegistry("other:5000").describe())
                .isEqualTo("no credentials (anonymous): docker config " + config + " has no credentials for other:5000");
        assertThat(Credentials.dockerConfig(dir.resolve("missing.json")).forRegistry("h"))
                .isInstanceOf(Credentials.Anonymous.class);
    }

    @Test
    void aBrokenConfigIsReportedWithoutQuotingIt() throws Exception {
        Path config = write("{\"auths\":{\"h\":{\"auth\":\"c2VjcmV0LXZhbHVl\" oops}}}");

        CredentialsException e = catchThrowableOfType(CredentialsException.class,
                () -> Credentials.dockerConfig(config).forRegistry("h"));

        assertThat(e.getMessage()).isEqualTo("docker config " + config + " is not valid JSON (line 1, column 42)");
        assertThat(e.getMessage()).doesNotContain("c2VjcmV0LXZhbHVl").doesNotContain("oops");
        assertThat(e.getCause()).isNull();
    }

    @Test
    void credentialHelpersAreNamedNotSilentlyIgnored() throws Exception {
        Path config = write("{\"auths\":{\"reg.example\":{}},\"credsStore\":\"desktop\"}");

        CredentialsException e = catchThrowableOfType(CredentialsException.class,
                () -> Credentials.dockerConfig(config).forRegistry("reg.example"));

        assertThat(e.getMessage()).contains("credential helper docker-credential-desktop");
    }

    @Test
    void anAuthThatIsNotUserColonPasswordIsRefusedWithoutEchoingIt() throws Exception {
        Path config = write("{\"auths\":{\"h\":{\"auth\":\"" + b64("justasecret") + "\"}}}");

        CredentialsException e = catchThrowableOfType(CredentialsException.class,
                () -> Credentials.dockerConfig(config).forRegistry("h"));

        assertThat(e.getMessage()).isEqualTo("\"auth\" in entry \"h\" of docker config " + config
                + " does not decode to user:password").doesNotContain("justasecret");
    }

    private Path write(String json) throws Exception {
        Path config = dir.resolve("config.json");
        Files.writeString(config, json);
        return config;
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
