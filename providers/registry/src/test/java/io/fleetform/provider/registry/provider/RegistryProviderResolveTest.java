package io.fleetform.provider.registry.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.dsl.diag.Diagnostic;
import io.fleetform.engine.model.Fleet;
import io.fleetform.engine.provider.ExpandRequest;
import io.fleetform.engine.provider.ExpandResponse;
import io.fleetform.engine.provider.ProviderContext;
import io.fleetform.engine.provider.ProviderRegistry;
import io.fleetform.engine.provider.ResolveRequest;
import io.fleetform.engine.provider.ResolveResponse;
import io.fleetform.engine.resource.Resource;
import io.fleetform.provider.registry.fixture.FaultProxy;
import io.fleetform.provider.registry.fixture.LocalRegistries;
import io.fleetform.provider.registry.fixture.RegistryExtension;
import io.fleetform.provider.registry.fixture.TestImages;
import io.fleetform.provider.registry.image.Digest;
import io.fleetform.provider.registry.replication.ReplicationOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Plan-time resolution of tags to digests, and what a user sees when it fails. */
@ExtendWith(RegistryExtension.class)
class RegistryProviderResolveTest {

    private final LocalRegistries registries;
    private final RegistryProvider provider =
            new RegistryProvider(LocalRegistries.FAST_RETRIES, ReplicationOptions.defaults(), Duration.ZERO);
    @TempDir
    Path dir;

    RegistryProviderResolveTest(LocalRegistries registries) {
        this.registries = registries;
    }

    private String central() {
        return registries.central().host();
    }

    private String fleetSource(String repository, String tag) {
        return TestFleets.registries(central(), registries.mirror().host())
                + TestFleets.image("gamesvr", repository, tag, true);
    }

    private ResolveResponse resolve(Fleet fleet, Map<String, String> env) {
        return provider.resolve(new ResolveRequest(fleet, new ProviderContext(dir, env)));
    }

    @Test
    void resolvesTagsToDigestsAndExpandsTheImageAndItsReplica() {
        String repository = TestImages.uniqueRepository("resolve");
        Digest digest = TestImages.dockerImage(TestImages.layers(1, 1_000, false))
                .push(registries.centralClient(), repository, "1.4.2");
        Map<String, String> env = TestFleets.environment(registries.password());
        Fleet fleet = TestFleets.load(dir, fleetSource(repository, "1.4.2"), env);

        ProviderContext context = new ProviderContext(dir, env);
        io.fleetform.engine.provider.ProviderSessions.Expansion expansion;
        try (var sessions = new ProviderRegistry(List.of(provider)).open(java.util.Optional.of(fleet),
                new io.fleetform.engine.provider.FleetIdentity(fleet.name(), "test"), List.of(), context)) {
            expansion = sessions.expand(fleet, context);
        }

        assertThat(expansion.diagnostics()).isEmpty();
        assertThat(expansion.resources()).extracting(r -> r.address().value(), Resource::type).containsExactly(
                org.assertj.core.groups.Tuple.tuple("image.gamesvr", RegistryProvider.IMAGE),
                org.assertj.core.groups.Tuple.tuple("image.gamesvr.mirror.mirror", RegistryProvider.REPLICA));
        Resource image = expansion.resources().get(0);
        assertThat(image.attributes()).containsEntry("digest", digest.toString())
                .containsEntry("registry", "central").containsEntry("registry_url", central())
                .containsEntry("registry_username", LocalRegistries.USER)
                .containsEntry("registry_auth_source", "env " + TestFleets.PASSWORD_VARIABLE)
                .containsEntry("repository", repository).containsEntry("tag", "1.4.2");
        assertThat(image.sensitive()).isEmpty();
        Resource replica = expansion.resources().get(1);
        assertThat(replica.attributes()).containsEntry("source", "central").containsEntry("target", "mirror")
                .containsEntry("target_url", registries.mirror().host()).containsEntry("digest", digest.toString());
        assertThat(replica.dependsOn()).containsExactly(image.address());
        assertThat(image.attributes().values()).doesNotContain(registries.password());
        assertThat(replica.attributes().values()).doesNotContain(registries.password());
    }

    /**
     * Tag lookups run at once, not one after another: behind a proxy that holds every manifest lookup for 300 ms,
     * more than one is in flight, every image gets its own digest, and the problems still come in the fleet's order.
     */
    @Test
    void tagLookupsRunAtOnceAndAnswerInTheFleetsOrder() throws Exception {
        Map<String, String> env = TestFleets.environment(registries.password());
        Map<String, String> expected = new java.util.LinkedHashMap<>();
        StringBuilder images = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            String repository = TestImages.uniqueRepository("many");
            Digest digest = TestImages.dockerImage(TestImages.layers(1, 1_000, false))
                    .push(registries.centralClient(), repository, "1.0");
            images.append(TestFleets.image("game" + i, repository, "1.0", false));
            expected.put("game" + i, digest.toString());
            if (i == 1 || i == 4) {
                images.append(TestFleets.image("gone" + i, repository, "no-such-tag", false));
            }
        }
        try (FaultProxy proxy = FaultProxy.start(registries.central().baseUri())) {
            java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger peak = new java.util.concurrent.atomic.AtomicInteger();
            proxy.rule((method, path) -> {
                if (path.contains("/manifests/")) {
                    peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                    try {
                        Thread.sleep(300);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        inFlight.decrementAndGet();
                    }
                }
                return FaultProxy.PASS;
            });
            Fleet fleet = TestFleets.load(dir, TestFleets.registries(proxy.uri().getAuthority(),
                    registries.mirror().host()) + images, env);

            ResolveResponse response = resolve(fleet, env);

            assertThat(peak.get()).as("lookups in flight at once").isBetween(2, RegistryProvider.RESOLVE_PARALLELISM);
            // The problems come in the fleet's order (that of fleet.images()), whichever lookup finished first.
            List<String> order = fleet.images().stream().map(io.fleetform.engine.model.Image::name).toList();
            assertThat(response.imageDigests()).containsExactlyInAnyOrderEntriesOf(expected);
            assertThat(response.diagnostics()).extracting(Diagnostic::code).containsExactly("image-not-found",
                    "image-not-found");
            assertThat(response.diagnostics()).extracting(d -> d.message().substring(0, d.message().indexOf(' ', 7)))
                    .isEqualTo(order.stream().filter(n -> n.startsWith("gone")).map(n -> "image \"" + n + "\"")
                            .toList());
        }
    }

    @Test
    void aPinnedDigestIsCheckedToExist() {
        String repository = TestImages.uniqueRepository("pinned");
        Digest digest = TestImages.dockerImage(TestImages.layers(1, 1_000, false))
                .push(registries.centralClient(), repository, "1.0");
        String missing = "sha256:" + "ab".repeat(32);
        Map<String, String> env = TestFleets.environment(registries.password());
        Fleet fleet = TestFleets.load(dir, TestFleets.registries(central(), registries.mirror().host()) + """
                image "ok"   { from = registry.central  name = "%s"  digest = "%s" }
                image "gone" { from = registry.central  name = "%s"  digest = "%s" }
                """.formatted(repository, digest, repository, missing), env);

        ResolveResponse response = resolve(fleet, env);

        assertThat(response.imageDigests()).containsExactly(Map.entry("ok", digest.toString()));
        assertThat(response.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo("image-not-found");
            assertThat(d.message()).isEqualTo("image \"gone\" pins " + repository + "@" + missing
                    + ", which registry \"central\" (" + central() + ") does not have");
            assertThat(d.span()).isEqualTo(fleet.image("gone").orElseThrow().span());
        });
    }

    @Test
    void aMissingTagIsAnErrorAtTheImageNamingImageRegistryAndAnswer() {
        String repository = TestImages.uniqueRepository("notag");
        TestImages.dockerImage(TestImages.layers(1, 1_000, false)).push(registries.centralClient(), repository, "1.0");
        Map<String, String> env = TestFleets.environment(registries.password());
        Fleet fleet = TestFleets.load(dir, fleetSource(repository, "9.9"), env);

        ResolveResponse response = resolve(fleet, env);

        assertThat(response.imageDigests()).isEmpty();
        Diagnostic d = single(response);
        assertThat(d.isError()).isTrue();
        assertThat(d.code()).isEqualTo("image-not-found");
        assertThat(d.span()).isEqualTo(fleet.image("gamesvr").orElseThrow().span());
        assertThat(d.message()).isEqualTo("image \"gamesvr\" (" + repository + ":9.9 from registry \"central\" ("
                + central() + ")) cannot be resolved: registry " + central() + ": tag \"9.9\" not found in repository \""
                + repository + "\" (MANIFEST_UNKNOWN)");
        assertThat(d.hint()).isEqualTo("check tag = \"9.9\", or push it: docker push " + central() + "/" + repository
                + ":9.9");

        // Expansion in the same run does not report it twice, and makes no resource for the image.
        ExpandResponse expanded = provider.expand(new ExpandRequest(fleet, java.util.Set.of(),
                new ProviderContext(dir, env), response.imageDigests()));
        assertThat(expanded.resources()).isEmpty();
        assertThat(expanded.diagnostics()).isEmpty();
    }

    @Test
    void aMissingRepositoryIsNamedAsSuch() {
        Map<String, String> env = TestFleets.environment(registries.password());
        Fleet fleet = TestFleets.load(dir, fleetSource("nobody/nothing", "1.0"), env);

        Diagnostic d = single(resolve(fleet, env));

        assertThat(d.message()).endsWith("cannot be resolved: registry " + central()
                + ": repository \"nobody/nothing\" not found (MANIFEST_UNKNOWN)");
        assertThat(d.hint()).startsWith("check name = \"nobody/nothing\"");
    }

    @Test
    void aWrongPasswordIsAnAuthenticationErrorThatNeverShowsThePassword() {
        String repository = TestImages.uniqueRepository("auth");
        TestImages.dockerImage(TestImages.layers(1, 1_000, false)).push(registries.centralClient(), repository, "1.0");
        String wrong = "wrong-" + java.util.UUID.randomUUID();
        Map<String, String> env = TestFleets.environment(wrong);
        Fleet fleet = TestFleets.load(dir, fleetSource(repository, "1.0"), env);

        Diagnostic d = single(resolve(fleet, env));

        assertThat(d.code()).isEqualTo("registry-auth");
        assertThat(d.message()).isEqualTo("image \"gamesvr\" (" + repository + ":1.0 from registry \"central\" ("
                + central() + ")) cannot be resolved: registry " + central()
                + ": authentication failed (HTTP 401) while reading manifest"
                + " \"1.0\" of repository \"" + repository + "\"; used basic credentials for user \""
                + LocalRegistries.USER + "\": check the username and password");
        assertThat(d.hint()).isEqualTo("check username and auth of registry \"central\" (or the docker config when"
                + " it has no auth)");
        assertThat(d.message() + d.hint()).doesNotContain(wrong).doesNotContain(registries.password());
    }

    @Test
    void anUnreachableRegistryIsAnErrorAtTheImage() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Map<String, String> env = TestFleets.environment(registries.password());
        Fleet fleet = TestFleets.load(dir, TestFleets.registries("127.0.0.1:" + closed, registries.mirror().host())
                + TestFleets.image("gamesvr", "mt2/gamesvr", "1.0", false), env);

        Diagnostic d = single(resolve(fleet, env));

        assertThat(d.code()).isEqualTo("registry-unavailable");
        assertThat(d.message()).startsWith("image \"gamesvr\" (mt2/gamesvr:1.0 from registry \"central\" (127.0.0.1:"
                + closed + ")) cannot be resolved: registry 127.0.0.1:" + closed + ": unavailable while reading manifest"
                + " \"1.0\" of repository \"mt2/gamesvr\": connection refused");
        assertThat(d.hint()).isEqualTo("is the registry up and reachable from here? plan again when it is");
    }

    @Test
    void withoutAuthTheDockerConfigOfTheRunsEnvironmentIsUsed() throws IOException {
        String repository = TestImages.uniqueRepository("dockercfg");
        Digest digest = TestImages.dockerImage(TestImages.layers(1, 1_000, false))
                .push(registries.centralClient(), repository, "1.0");
        Path dockerDir = Files.createDirectories(dir.resolve("docker"));
        String auth = Base64.getEncoder().encodeToString((LocalRegistries.USER + ":" + registries.password())
                .getBytes(StandardCharsets.UTF_8));
        Files.writeString(dockerDir.resolve("config.json"),
                "{\"auths\":{\"" + central() + "\":{\"auth\":\"" + auth + "\"}}}");
        Map<String, String> env = new HashMap<>(Map.of("DOCKER_CONFIG", dockerDir.toString()));
        Fleet fleet = TestFleets.load(dir, """
                fleet "reg" { owner = "ops" }
                registry "central" { url = "%s" }
                image "gamesvr" { from = registry.central  name = "%s"  tag = "1.0" }
                """.formatted(central(), repository), env);

        assertThat(resolve(fleet, env).imageDigests()).containsExactly(Map.entry("gamesvr", digest.toString()));

        // The same fleet with no Docker config in the environment is anonymous, and refused.
        Diagnostic d = single(resolve(fleet, Map.of()));
        assertThat(d.message()).contains("used no credentials (anonymous)").doesNotContain(registries.password());
    }

    @Test
    void imagesWithoutARegistryAreLocalAndLeftAlone() {
        Fleet fleet = TestFleets.load(dir, """
                fleet "reg" { owner = "ops" }
                image "app" { name = "fleetform/busybox"  tag = "1" }
                """, Map.of());

        assertThat(resolve(fleet, Map.of())).isEqualTo(io.fleetform.engine.provider.ResolveResponse.NONE);
        assertThat(provider.expand(new ExpandRequest(fleet, java.util.Set.of(), new ProviderContext(dir, Map.of())))
                .resources()).isEmpty();
    }

    private static Diagnostic single(ResolveResponse response) {
        assertThat(response.diagnostics()).hasSize(1);
        return response.diagnostics().get(0);
    }
}
