package io.fleetform.provider.registry.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fleetform.engine.plan.Action;
import io.fleetform.engine.provider.ApplyRequest;
import io.fleetform.engine.provider.ApplyResponse;
import io.fleetform.engine.provider.CheckRequest;
import io.fleetform.engine.provider.FleetIdentity;
import io.fleetform.engine.provider.ExpandRequest;
import io.fleetform.engine.provider.ProviderContext;
import io.fleetform.engine.provider.ProviderException;
import io.fleetform.engine.provider.ProviderSession;
import io.fleetform.engine.provider.ReadRequest;
import io.fleetform.engine.provider.ResolveRequest;
import io.fleetform.engine.provider.SessionRequest;
import io.fleetform.engine.resource.Resource;
import io.fleetform.engine.state.ResourceState;
import io.fleetform.provider.registry.RegistryClient;
import io.fleetform.provider.registry.fixture.FaultProxy;
import io.fleetform.provider.registry.fixture.LocalRegistries;
import io.fleetform.provider.registry.fixture.RegistryExtension;
import io.fleetform.provider.registry.fixture.TestImages;
import io.fleetform.provider.registry.image.Descriptor;
import io.fleetform.provider.registry.image.Digest;
import io.fleetform.provider.registry.replication.ReplicationOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Applying replicas directly: progress, a corrupted transfer, resuming, refresh, one client per registry a run. */
@ExtendWith(RegistryExtension.class)
class RegistryProviderApplyTest {

    private final LocalRegistries registries;
    private final RegistryProvider provider = new RegistryProvider(LocalRegistries.FAST_RETRIES,
            ReplicationOptions.defaults().withProgressInterval(16 * 1024), Duration.ZERO);
    @TempDir
    Path dir;

    RegistryProviderApplyTest(LocalRegistries registries) {
        this.registries = registries;
    }

    @Test
    void aCorruptedBlobIsRejectedAsTemporaryAndTheNextAttemptResumes() throws Exception {
        String repository = TestImages.uniqueRepository("corrupt");
        TestImages.Image image = TestImages.dockerImage(TestImages.layers(3, 300_000, false));
        Digest digest = image.push(registries.centralClient(), repository, "1.0");
        Descriptor victim = image.manifest().layers().get(1);
        RegistryClient mirror = registries.mirrorClient();
        try (FaultProxy central = FaultProxy.start(registries.central().baseUri())) {
            central.rule((method, path) -> method.equals("GET") && path.endsWith("/blobs/" + victim.digest())
                    ? new FaultProxy.Corrupt(1000) : FaultProxy.PASS);
            Map<String, String> env = TestFleets.environment(registries.password());
            ProviderContext context = new ProviderContext(dir, env);
            Resource replica = replica(central.uri().getAuthority(), repository, env);
            assertThat(replica.attributes()).containsEntry("digest", digest.toString());

            ProviderException failed = catchThrowableOfType(ProviderException.class, () -> provider.apply(
                    new ApplyRequest(Action.CREATE, Optional.empty(), Optional.of(replica), context, p -> { })));

            assertThat(failed.isTransient()).isTrue();
            assertThat(failed.getMessage()).startsWith("copying " + central.uri().getAuthority() + "/" + repository
                    + "@" + digest + " from registry \"central\"").contains("blob " + victim.digest() + " from repository \""
                    + repository + "\" is corrupt").doesNotContain(registries.password());
            assertThat(mirror.hasBlob(repository, victim.digest())).as("a corrupt blob is never stored").isFalse();
            assertThat(mirror.findManifest(repository, "1.0")).as("no tag on an incomplete image").isEmpty();
            ResourceState recorded = state(replica);
            assertThat(provider.read(new ReadRequest(recorded, context)).attributes()).isEmpty();

            central.rule((method, path) -> FaultProxy.PASS);
            List<String> progress = new CopyOnWriteArrayList<>();
            ApplyResponse done = provider.apply(new ApplyRequest(Action.CREATE, Optional.empty(), Optional.of(replica),
                    context, progress::add));

            assertThat(done.attributes()).isEqualTo(replica.attributes());
            assertThat(mirror.resolve(repository, "1.0").digest()).isEqualTo(digest);
            String total = ReplicationProgress.megabytes(image.manifest().totalBlobSize());
            assertThat(progress.get(0)).isEqualTo("0/4 layers, 0 MB of " + total);
            assertThat(progress).allMatch(l -> l.matches("\\d/4 layers, [\\d.]+ MB of " + java.util.regex.Pattern.quote(total)
                    + ".*"));
            assertThat(progress.get(progress.size() - 1)).matches("4/4 layers, " + java.util.regex.Pattern.quote(total)
                    + " of " + java.util.regex.Pattern.quote(total) + " \\(\\d copied, \\d already there\\)");
            assertThat(provider.read(new ReadRequest(recorded, context)).attributes())
                    .contains(recorded.attributes());

            // Idempotent: a second apply copies nothing.
            List<String> second = new CopyOnWriteArrayList<>();
            provider.apply(new ApplyRequest(Action.UPDATE, Optional.of(recorded), Optional.of(replica), context,
                    second::add));
            assertThat(second.get(second.size() - 1)).endsWith("(0 copied, 4 already there)");
        }
    }

    /**
     * One run's calls share a client per registry: central's basic-auth challenge is answered once, by the plan's tag
     * lookup, and the apply's manifest read and blob downloads go with the credentials it learned. The provider itself
     * (no session) keeps nothing, so each of its calls meets the challenge again.
     */
    @Test
    void aSessionMeetsEachRegistrysChallengeOnceForTheWholeRun() throws Exception {
        String repository = TestImages.uniqueRepository("session");
        TestImages.Image image = TestImages.dockerImage(TestImages.layers(2, 50_000, false));
        Digest digest = image.push(registries.centralClient(), repository, "1.0");
        try (FaultProxy central = FaultProxy.start(registries.central().baseUri())) {
            Map<String, String> env = TestFleets.environment(registries.password());
            ProviderContext context = new ProviderContext(dir, env);
            var fleet = TestFleets.load(dir, TestFleets.registries(central.uri().getAuthority(),
                    registries.mirror().host()) + TestFleets.image("gamesvr", repository, "1.0", true), env);
            String manifests = "/v2/" + repository + "/manifests/";

            ProviderSession session = provider.open(new SessionRequest(Optional.of(fleet),
                    new FleetIdentity("reg", "lineage-1"), List.of(), context));
            Map<String, String> digests = session.resolve(new ResolveRequest(fleet, context)).imageDigests();
            assertThat(digests).containsEntry("gamesvr", digest.toString());
            Resource replica = session.expand(new ExpandRequest(fleet, Set.of(), context, digests)).resources()
                    .stream().filter(r -> r.type().equals(RegistryProvider.REPLICA)).findFirst().orElseThrow();
            assertThat(session.check(new CheckRequest(Action.CREATE, Optional.empty(), Optional.of(replica), context,
                    false))).isEqualTo(io.fleetform.engine.provider.CheckResponse.PROCEED);
            session.apply(new ApplyRequest(Action.CREATE, Optional.empty(), Optional.of(replica), context, p -> { }));
            session.close();

            assertThat(registries.mirrorClient().resolve(repository, "1.0").digest()).isEqualTo(digest);
            assertThat(central.count("HEAD", manifests)).as("the tag lookup, challenged once").isEqualTo(2);
            assertThat(central.count("GET", manifests)).as("the apply's read, with the learned credentials").isEqualTo(1);

            String other = TestImages.uniqueRepository("nosession");
            image.push(registries.centralClient(), other, "1.0");
            Resource alone = replica(central.uri().getAuthority(), other, env);
            provider.apply(new ApplyRequest(Action.CREATE, Optional.empty(), Optional.of(alone), context, p -> { }));
            assertThat(central.count("GET", "/v2/" + other + "/manifests/"))
                    .as("without a session the apply's read meets the challenge again").isEqualTo(2);
        }
    }

    @Test
    void progressReportsLayersAndMegabytesOfTheWholeImage() {
        assertThat(ReplicationProgress.megabytes(0)).isEqualTo("0 MB");
        assertThat(ReplicationProgress.megabytes(1_500_000)).isEqualTo("1.5 MB");
        assertThat(ReplicationProgress.megabytes(140_400_000)).isEqualTo("140 MB");
        Descriptor a = new Descriptor("application/octet-stream", Digest.sha256(new byte[] {1}), 100_000_000);
        Descriptor b = new Descriptor("application/octet-stream", Digest.sha256(new byte[] {2}), 100_000_000);
        List<String> lines = new CopyOnWriteArrayList<>();
        ReplicationProgress progress = new ReplicationProgress(List.of(a, b), lines::add, Duration.ZERO);
        progress.onEvent(new io.fleetform.provider.registry.replication.ReplicationEvent.BlobSkipped(a));
        progress.onEvent(new io.fleetform.provider.registry.replication.ReplicationEvent.BlobStarted(b));
        progress.onEvent(new io.fleetform.provider.registry.replication.ReplicationEvent.BlobProgress(b, 40_000_000));
        assertThat(lines).containsExactly("1/2 layers, 100 MB of 200 MB", "1/2 layers, 140 MB of 200 MB");
    }

    private Resource replica(String centralHost, String repository, Map<String, String> env) {
        var fleet = TestFleets.load(dir, TestFleets.registries(centralHost, registries.mirror().host())
                + TestFleets.image("gamesvr", repository, "1.0", true), env);
        List<Resource> resources = provider.expand(new ExpandRequest(fleet, Set.of(), new ProviderContext(dir, env)))
                .resources();
        return resources.stream().filter(r -> r.type().equals(RegistryProvider.REPLICA)).findFirst().orElseThrow();
    }

    private static ResourceState state(Resource r) {
        return new ResourceState(r.address(), r.type(), r.provider(), r.attributes(), r.sensitive(), r.dependsOn(),
                r.lifecycle());
    }
}
