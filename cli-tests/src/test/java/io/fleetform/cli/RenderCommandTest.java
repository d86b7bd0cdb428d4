package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fleetform render}: Secrets without their data unless {@code --show-secrets}; never a value otherwise. */
class RenderCommandTest {
    private static final String SECRET = "render-Pa55-value";

    @TempDir
    Path dir;

    private void write() throws Exception {
        Files.writeString(dir.resolve("main.fleet"), """
                fleet "rc" { owner = "ops" }
                image "app" { name = "rc/app"  tag = "1.0" }
                cluster "k" { context = "ctx"  namespace = "rc" }
                idc "dc" { region = "r1"  target = cluster.k }
                zone "z1" {
                  idc = idc.dc
                  service "game" {
                    image  = image.app
                    cpu    = 1 cores
                    memory = 1Gi
                    env    = { DB_PASS = secret("db") }
                  }
                }
                """);
    }

    @Test
    void secretsAreLeftOutUnlessAskedFor() throws Exception {
        write();
        Map<String, String> env = Map.of("FLEETFORM_SECRET_DB", SECRET);
        String b64 = Base64.getEncoder().encodeToString(SECRET.getBytes(StandardCharsets.UTF_8));

        CliRunner.Result plain = CliRunner.run(env, "render", dir.toString());
        assertThat(plain.exitCode()).as(plain.err()).isEqualTo(ExitCode.OK);
        assertThat(plain.out()).contains("kind: Secret").contains("# data omitted: DB_PASS")
                .contains("fleetform.io/secret-hash").doesNotContain(SECRET).doesNotContain(b64);

        CliRunner.Result shown = CliRunner.run(env, "render", "--show-secrets", dir.toString());
        assertThat(shown.exitCode()).as(shown.err()).isEqualTo(ExitCode.OK);
        assertThat(shown.out()).contains("DB_PASS: " + b64).doesNotContain("# data omitted");
    }
}
