package io.fleetform.provider.registry.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.provider.ApplyRequest;
import io.fleetform.engine.provider.ExpandRequest;
import io.fleetform.engine.provider.ProviderContext;
import io.fleetform.engine.provider.ProviderException;
import io.fleetform.engine.resource.Resource;
import io.fleetform.provider.host.agent.AgentOptions;
import io.fleetform.provider.host.agent.AgentServer;
import io.fleetform.provider.registry.fixture.LocalRegistries;
import io.fleetform.provider.registry.fixture.RegistryExtension;
import io.fleetform.provider.registry.fixture.TestImages;
import io.fleetform.provider.registry.image.Digest;
import io.fleetform.provider.registry.replication.ReplicationOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code prepull = true} through a real host agent ({@link AgentServer}) on the real Docker Engine,
 * pulling from the real central registry (htpasswd: the credentials go to the agent).
 */
@ExtendWith(RegistryExtension.class)
class PrepullTest {

    private static final String TOKEN = "prepull-agent-token-0123456789abcdef";

    private final LocalRegistries registries;
    private final RegistryProvider provider =
            new RegistryProvider(LocalRegistries.FAST_RETRIES, ReplicationOptions.defaults(), Duration.ZERO);
    @TempDir
    Path dir;

    PrepullTest(LocalRegistries registries) {
        this.registries = registries;
    }

    @Test
    void pullsTheImageByDigestOnTheHostsOfThePoolsThatRunIt() throws Exception {
        requireDocker();
        String repository = TestImages.uniqueRepository("prepull");
        Digest digest = TestImages.dockerImage(TestImages.layers(1, 2_000, false))
                .push(registries.centralClient(), repository, "1");
        Path tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, TOKEN + "\n");
        try (AgentServer agent = AgentServer.start(AgentOptions.of(new InetSocketAddress("127.0.0.1", 0), tokenFile,
                dir.resolve("agent-data")))) {
            String agentAddress = "127.0.0.1:" + agent.port();
            Map<String, String> env = new HashMap<>(TestFleets.environment(registries.password()));
            env.put("AGENT_TOKEN", TOKEN);
            var fleet = TestFleets.load(dir, TestFleets.registries(registries.central().host(),
                    registries.mirror().host()) + """
                    image "gamesvr" {
                      from         = registry.central
                      name         = "%s"
                      tag          = "1"
                      replicate_to = [registry.mirror]
                      prepull      = true
                    }
                    image "other" { name = "local/other"  tag = "1" }
                    hosts "pool-a" { agents = ["%s"]  token = env("AGENT_TOKEN") }
                    hosts "pool-b" { agents = ["127.0.0.1:1"]  token = env("AGENT_TOKEN") }
                    idc "dc1" { region = "r"  target = hosts.pool-a  ip_pool = "10.0.0.0/24" }
                    idc "dc2" { region = "r"  target = hosts.pool-b  ip_pool = "10.0.1.0/24" }
                    zone "z1" {
                      idc = idc.dc1
                      service "s" {
                        image    = image.gamesvr
                        cpu      = 1 core
                        memory   = 1Gi
                        replicas = 1
                      }
                    }
                    zone "z2" {
                      idc = idc.dc2
                      service "s" {
                        image    = image.other
                        cpu      = 1 core
                        memory   = 1Gi
                        replicas = 1
                      }
                    }
                    """.formatted(repository, agentAddress), env);
            ProviderContext context = new ProviderContext(dir, env);
            List<Resource> resources = provider.expand(new ExpandRequest(fleet, Set.of(), context)).resources();
            // pool-b runs only another image: nothing to pre-pull there.
            Resource prepull = resources.stream().filter(r -> r.type().equals(RegistryProvider.PREPULL))
                    .reduce((a, b) -> { throw new AssertionError("one prepull expected: " + resources); }).orElseThrow();
            assertThat(prepull.address()).isEqualTo(new ResourceAddress("image.gamesvr.prepull.pool-a"));
            assertThat(prepull.dependsOn()).extracting(ResourceAddress::value)
                    .containsExactly("image.gamesvr", "image.gamesvr.mirror.mirror");
            String reference = registries.central().host() + "/" + repository + "@" + digest;
            assertThat(prepull.attributes()).containsEntry("image", reference)
                    .containsEntry("agents", List.of(agentAddress)).containsEntry("token_source", "env AGENT_TOKEN");
            assertThat(prepull.attributes().values()).doesNotContain(TOKEN, registries.password());
            docker("rmi", "-f", reference);

            List<String> progress = new CopyOnWriteArrayList<>();
            try {
                provider.apply(new ApplyRequest(Action.CREATE, Optional.empty(), Optional.of(prepull), context,
                        progress::add));

                assertThat(docker("image", "inspect", "--format", "{{index .RepoDigests 0}}", reference).trim())
                        .isEqualTo(reference);
                assertThat(progress).containsExactly("pulling " + reference + ": 0/1 hosts",
                        "pulling " + reference + ": 1/1 hosts");

                // A wrong agent token is refused, permanently, and named without the token.
                Map<String, String> wrong = new HashMap<>(env);
                wrong.put("AGENT_TOKEN", "not-the-token-0123456789abcdef");
                ProviderException refused = catchThrowableOfType(ProviderException.class, () -> provider.apply(
                        new ApplyRequest(Action.CREATE, Optional.empty(), Optional.of(prepull),
                                new ProviderContext(dir, wrong), p -> { })));
                assertThat(refused.isTransient()).isFalse();
                assertThat(refused.getMessage()).startsWith("pre-pulling " + reference + " on hosts \"pool-a\" failed on"
                        + " 1 of 1 hosts: ").contains("401").doesNotContain("not-the-token");
            } finally {
                docker("rmi", "-f", reference);
            }
        }
    }

    /**
     * {@code hosts { local = true }} runs only an image its (in-process) agent has, like any agent: the
     * plan pre-pulls onto it as onto remote hosts, so the create it shows is one apply can do.
     */
    @Test
    void aLocalPoolIsPrePulledThroughItsInProcessAgentLikeRemoteHosts() throws Exception {
        requireDocker();
        String repository = TestImages.uniqueRepository("prepull-local");
        Digest digest = TestImages.dockerImage(TestImages.layers(1, 2_000, false))
                .push(registries.centralClient(), repository, "1");
        Map<String, String> env = new HashMap<>(TestFleets.environment(registries.password()));
        var fleet = TestFleets.load(dir, TestFleets.registries(registries.central().host(),
                registries.mirror().host()) + """
                image "gamesvr" {
                  from    = registry.central
                  name    = "%s"
                  tag     = "1"
                  prepull = true
                }
                hosts "here" { local = true }
                idc "dc1" { region = "r"  target = hosts.here  ip_pool = "10.0.0.0/24" }
                zone "z1" {
                  idc = idc.dc1
                  service "s" {
                    image    = image.gamesvr
                    cpu      = 1 core
                    memory   = 1Gi
                    replicas = 1
                  }
                }
                """.formatted(repository), env);
        ProviderContext context = new ProviderContext(dir, env);
        List<Resource> resources = provider.expand(new ExpandRequest(fleet, Set.of(), context)).resources();
        Resource prepull = resources.stream().filter(r -> r.type().equals(RegistryProvider.PREPULL)).findFirst()
                .orElseThrow(() -> new AssertionError("no pre-pull planned for the local pool: " + resources));
        assertThat(prepull.address()).isEqualTo(new ResourceAddress("image.gamesvr.prepull.here"));
        String reference = registries.central().host() + "/" + repository + "@" + digest;
        assertThat(prepull.attributes()).containsEntry("image", reference).containsEntry("local", true)
                .containsEntry("agents", List.of("local"));
        docker("rmi", "-f", reference);
        try {
            List<String> progress = new CopyOnWriteArrayList<>();
            provider.apply(new ApplyRequest(Action.CREATE, Optional.empty(), Optional.of(prepull), context,
                    progress::add));
            assertThat(docker("image", "inspect", "--format", "{{index .RepoDigests 0}}", reference).trim())
                    .isEqualTo(reference);
            assertThat(progress).containsExactly("pulling " + reference + ": 0/1 hosts",
                    "pulling " + reference + ": 1/1 hosts");
        } finally {
            docker("rmi", "-f", reference);
        }
    }

    /**
     * An IDC with a mirror: its hosts pull a replicated image from the mirror (the pulls show in the
     * mirror's access log, none in the source's), and when the mirror fails they pull from the source
     * and the apply output names it.
     */
    @Test
    void hostsOfAnIdcWithAMirrorPullFromItAndFallBackToTheSourceNamingIt() throws Exception {
        requireDocker();
        String repository = TestImages.uniqueRepository("mirrored");
        var image = TestImages.dockerImage(TestImages.layers(1, 2_000, false));
        Digest digest = image.push(registries.centralClient(), repository, "1");
        assertThat(image.push(registries.mirrorClient(), repository, "1")).as("replicated").isEqualTo(digest);
        Path tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, TOKEN + "\n");
        try (AgentServer agent = AgentServer.start(AgentOptions.of(new InetSocketAddress("127.0.0.1", 0), tokenFile,
                dir.resolve("agent-data")))) {
            Map<String, String> env = new HashMap<>(TestFleets.environment(registries.password()));
            env.put("AGENT_TOKEN", TOKEN);
            String fleetText = TestFleets.registries(registries.central().host(), registries.mirror().host()) + """
                    registry "dead" {
                      url       = "127.0.0.1:1"
                      mirror_of = registry.central
                    }
                    image "gamesvr" {
                      from         = registry.central
                      name         = "%s"
                      tag          = "1"
                      replicate_to = [registry.mirror, registry.dead]
                      prepull      = true
                    }
                    hosts "pool-a" { agents = ["127.0.0.1:%d"]  token = env("AGENT_TOKEN") }
                    idc "dc1" {
                      region  = "r"
                      target  = hosts.pool-a
                      ip_pool = "10.0.0.0/24"
                      mirror  = registry.%s
                    }
                    zone "z1" {
                      idc = idc.dc1
                      service "s" {
                        image  = image.gamesvr
                        cpu    = 1 core
                        memory = 1Gi
                      }
                    }
                    """;
            String source = registries.central().host() + "/" + repository + "@" + digest;
            String mirrored = registries.mirror().host() + "/" + repository + "@" + digest;
            ProviderContext context = new ProviderContext(dir, env);
            try {
                Resource viaMirror = prepull(TestFleets.load(dir, fleetText.formatted(repository, agent.port(),
                        "mirror"), env), context);
                assertThat(viaMirror.attributes()).containsEntry("mirror_image", mirrored);
                long centralBefore = manifestGets(registries.central().log(), repository);
                var applied = provider.apply(new ApplyRequest(Action.CREATE, Optional.empty(), Optional.of(viaMirror),
                        context, p -> { }));
                assertThat(applied.warnings()).isEmpty();
                assertThat(manifestGets(registries.mirror().log(), repository)).as("pulled from the mirror")
                        .isPositive();
                assertThat(manifestGets(registries.central().log(), repository)).as("not from the source")
                        .isEqualTo(centralBefore);
                assertThat(docker("image", "inspect", "--format", "{{.Id}}", mirrored).trim()).startsWith("sha256:");
                docker("rmi", "-f", mirrored);

                Resource viaDeadMirror = prepull(TestFleets.load(dir, fleetText.formatted(repository, agent.port(),
                        "dead"), env), context);
                var fellBack = provider.apply(new ApplyRequest(Action.CREATE, Optional.empty(),
                        Optional.of(viaDeadMirror), context, p -> { }));
                assertThat(fellBack.warnings()).singleElement().asString()
                        .startsWith("host 127.0.0.1:" + agent.port() + " pulled " + source + " from the source "
                                + "registry " + registries.central().host() + ": its IDC's mirror 127.0.0.1:1/"
                                + repository + "@" + digest + " failed (");
                assertThat(docker("image", "inspect", "--format", "{{.Id}}", source).trim()).as("pulled from the source")
                        .startsWith("sha256:");
            } finally {
                docker("rmi", "-f", source);
                docker("rmi", "-f", mirrored);
            }
        }
    }

    private Resource prepull(io.fleetform.engine.model.Fleet fleet, ProviderContext context) {
        return provider.expand(new ExpandRequest(fleet, Set.of(), context)).resources().stream()
                .filter(r -> r.type().equals(RegistryProvider.PREPULL)).findFirst().orElseThrow();
    }

    private static long manifestGets(String log, String repository) {
        return log.lines().filter(l -> l.contains("GET /v2/" + repository + "/manifests/")).count();
    }

    private static void requireDocker() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("docker", "info", "--format", "{{.ServerVersion}}").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new AssertionError("the pre-pull test needs the Docker Engine (see providers/host/README.md): " + out);
        }
    }

    private static String docker(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
