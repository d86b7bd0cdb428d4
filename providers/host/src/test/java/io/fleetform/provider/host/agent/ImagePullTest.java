package io.fleetform.provider.host.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.fail;

import io.fleetform.engine.testing.Loopback;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/images/pull} against a registry on loopback (Debian's docker-registry), the only kind reachable. */
class ImagePullTest extends DockerTestBase {
    private static Process registry;
    private static Path registryDir;
    private static int port;

    @BeforeAll
    static void startRegistry() throws Exception {
        Path bin = Path.of("/usr/bin/docker-registry");
        if (!Files.isExecutable(bin)) {
            fail("the image-pull test needs a local registry: apt-get install -y docker-registry");
        }
        port = Loopback.freePort();
        registryDir = Files.createTempDirectory("fftest-registry");
        Path config = registryDir.resolve("config.yml");
        Files.writeString(config, """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                http:
                  addr: 127.0.0.1:%d
                """.formatted(registryDir.resolve("data"), port));
        registry = new ProcessBuilder(bin.toString(), "serve", config.toString())
                .redirectErrorStream(true).redirectOutput(registryDir.resolve("registry.log").toFile()).start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.currentTimeMillis() + 20_000;
        while (true) {
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    break;
                }
            } catch (IOException e) {
                // not up yet
            }
            if (System.currentTimeMillis() > deadline || !registry.isAlive()) {
                fail("the local registry did not start: " + Files.readString(registryDir.resolve("registry.log")));
            }
            Thread.sleep(100);
        }
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        if (registry != null) {
            registry.destroy();
            registry.waitFor();
        }
        if (registryDir != null) {
            DockerSupport.run("rm", "-rf", registryDir.toString());
        }
    }

    /** Pulled from an IDC's mirror, an image runs under the central registry's name: by digest it is the same. */
    @Test
    void aDigestPulledFromAMirrorRunsUnderTheSourcesName() throws IOException {
        String tagged = "127.0.0.1:" + port + "/fleetform-test/mirrored:1";
        DockerSupport.docker("tag", DockerSupport.IMAGE_1, tagged);
        DockerSupport.docker("push", tagged);
        String digest = DockerSupport.docker("image", "inspect", "--format", "{{index .RepoDigests 0}}", tagged)
                .replaceAll(".*@", "");
        DockerSupport.docker("rmi", tagged);
        String mirrored = "127.0.0.1:" + port + "/fleetform-test/mirrored@" + digest;
        String source = "central.invalid/fleetform-test/mirrored@" + digest;
        TestAgent a = agent("host-a");
        try {
            a.client().pullImage(PullRequest.of(mirrored));
            NetworkSpec net = bridge(60);
            a.client().claim("zone.m1.service.game[0]", claim(null, "", 64 * MIB, net.ipv4()));
            ContainerResult r = a.client().putContainer("zone.m1.service.game[0]", ContainerSpec.shared(source, 0,
                    32 * MIB, net).withCommand(DockerSupport.SLEEPER).withStopTimeoutSeconds(1));
            assertThat(r.action()).isEqualTo(ContainerResult.Action.CREATED);
            assertThat(DockerSupport.inspect(r.container().id(), "{{.Config.Image}} {{.State.Running}}"))
                    .isEqualTo(mirrored + " true");
            assertThat(r.container().spec().image()).as("the configured name is what reads back").isEqualTo(source);
        } finally {
            DockerSupport.run("docker", "rmi", "-f", mirrored);
        }
    }

    @Test
    void pullsAnImageByReferenceFromARegistry() throws IOException {
        String ref = "127.0.0.1:" + port + "/fleetform-test/pull:1";
        DockerSupport.docker("tag", DockerSupport.IMAGE_1, ref);
        DockerSupport.docker("push", ref);
        DockerSupport.docker("rmi", ref);
        assertThat(DockerSupport.run("docker", "image", "inspect", ref).exit()).isNotZero();
        TestAgent a = agent("host-a");
        try {
            PullResult r = a.client().pullImage(PullRequest.of(ref));
            assertThat(r.image()).isEqualTo(ref);
            assertThat(r.imageId()).isEqualTo(DockerSupport.docker("image", "inspect", "--format", "{{.Id}}", ref));
            assertThat(r.imageId()).isEqualTo(DockerSupport.docker("image", "inspect", "--format", "{{.Id}}",
                    DockerSupport.IMAGE_1));

            AgentException missing = catchThrowableOfType(AgentException.class, () -> a.client().pullImage(
                    PullRequest.of("127.0.0.1:" + port + "/fleetform-test/pull:absent")));
            assertThat(missing.status()).isEqualTo(422);
            assertThat(missing.answer()).startsWith("cannot pull 127.0.0.1:" + port + "/fleetform-test/pull:absent: ");

            HttpResponse<String> bad = a.send("POST", "/v1/images/pull", "{\"image\":\"a b\"}");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("image is required and must not contain whitespace");
        } finally {
            DockerSupport.run("docker", "rmi", ref);
        }
    }
}
