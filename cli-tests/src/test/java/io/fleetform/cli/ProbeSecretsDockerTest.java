package io.fleetform.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a failing health probe saw is shown (the end of an exec probe's output, as Kubernetes shows it), but never a
 * secret in it: on the real Docker Engine, a container whose probe prints its secret environment value and fails.
 * The agent takes the instance's secrets out of what its probe saw before anyone asks, so neither apply's gate, the
 * state's rollout record, {@code rollout status} (text and JSON, also run without the fleet's configuration, which
 * is the engine's own source of secret texts) nor {@code show} prints it.
 */
class ProbeSecretsDockerTest {
    private static final String SECRET = "db-pass-" + Integer.toHexString(ThreadLocalRandom.current()
            .nextInt(0x100000, 0xffffff));

    @TempDir
    Path dir;
    private AgentFleet fleet;
    private Map<String, String> env;

    @BeforeAll
    static void image() throws Exception {
        AgentFleet.buildBusyboxImage();
    }

    @BeforeEach
    void agent() throws Exception {
        fleet = AgentFleet.start(dir, "ps", "10.233", "a-long-enough-probe-token-0123456789");
        env = new HashMap<>(fleet.env());
        env.put("FLEETFORM_SECRET_DB", SECRET);
        Files.createDirectory(dir.resolve("fleet"));
        Files.writeString(dir.resolve("fleet/main.fleet"), fleet.header() + """
                zones "web" from 1 to 2 as z {
                  idc = idc.local
                  service "site" {
                    image   = image.toy
                    cpu     = 100m
                    memory  = 32Mi
                    env     = { DB = secret("db") }
                    command = ["sh", "-c", "%s"]
                    health {
                      exec            = ["sh", "-c", "echo connecting with $(cat $DB_FILE); echo refused: $(cat $DB_FILE) >&2; exit 3"]
                      interval        = 2s
                      timeout         = 1500ms
                      unhealthy_after = 2
                    }
                  }
                }
                rollout "default" {
                  stage "canary" { zones = [zone.web1]  healthy_for = 1s }
                  stage "rest"   { healthy_for = 1s }
                }
                """.formatted(HostNetworkingDockerTest.STOPPABLE + "sleep 600 & wait"));
    }

    @AfterEach
    void cleanUp() throws Exception {
        run("destroy", fleetDir(), "--auto-approve");
        fleet.close();
    }

    private String fleetDir() {
        return dir.resolve("fleet").toString();
    }

    private CliRunner.Result run(String... args) {
        return CliRunner.run(env, args);
    }

    private static void assertShowsWhyWithoutTheSecret(CliRunner.Result result) {
        assertThat(result.out() + result.err()).doesNotContain(SECRET).doesNotContain("Exception");
    }

    @Test
    void aProbeThatPrintsItsSecretAndFailsIsShownWithoutIt() throws Exception {
        CliRunner.Result applied = run("apply", fleetDir(), "--auto-approve");
        assertThat(applied.exitCode()).as(applied.out() + applied.err()).isEqualTo(ExitCode.ERROR);
        assertThat(applied.out()).contains("did not become healthy").contains("exited with 3")
                .contains("refused: (sensitive)").doesNotContain("== stage rest");
        assertShowsWhyWithoutTheSecret(applied);
        String state = Files.readString(dir.resolve("fleet/.fleetform/state.json"));
        assertThat(state).contains("refused: (sensitive)").doesNotContain(SECRET);

        CliRunner.Result status = run("rollout", "status", fleetDir());
        assertThat(status.out()).as(status.out() + status.err()).contains("failed").contains("exited with 3")
                .contains("(sensitive)");
        assertShowsWhyWithoutTheSecret(status);
        CliRunner.Result json = run("rollout", "status", fleetDir(), "--json");
        assertThat(json.out()).contains("exited with 3");
        assertShowsWhyWithoutTheSecret(json);

        // Without the configuration (another folder, the state named): only the agent knows the secret, and it
        // answers without it.
        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
        CliRunner.Result bare = run("rollout", "status", elsewhere.toString(), "--state",
                dir.resolve("fleet/.fleetform/state.json").toString());
        assertThat(bare.out()).as(bare.out() + bare.err()).contains("exited with 3").contains("refused: (sensitive)");
        assertShowsWhyWithoutTheSecret(bare);

        assertShowsWhyWithoutTheSecret(run("show", fleetDir()));
        assertShowsWhyWithoutTheSecret(run("show", fleetDir(), "--json"));
        assertShowsWhyWithoutTheSecret(run("state", "show", "zone.web1.service.site[0]", "--dir", fleetDir()));
    }
}
