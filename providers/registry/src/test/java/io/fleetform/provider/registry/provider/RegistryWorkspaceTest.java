package io.fleetform.provider.registry.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.apply.ApplyEvent;
import io.fleetform.engine.apply.ApplyResult;
import io.fleetform.engine.apply.Applier;
import io.fleetform.engine.eval.EvalOptions;
import io.fleetform.engine.plan.Action;
import io.fleetform.engine.plan.AttributeChange;
import io.fleetform.engine.plan.PlanMode;
import io.fleetform.engine.plan.ResourceChange;
import io.fleetform.engine.provider.ProviderRegistry;
import io.fleetform.engine.run.Workspace;
import io.fleetform.engine.state.LockInfo;
import io.fleetform.engine.state.StateLock;
import io.fleetform.provider.registry.RegistryClient;
import io.fleetform.provider.registry.auth.Credentials;
import io.fleetform.provider.registry.fixture.FaultProxy;
import io.fleetform.provider.registry.fixture.LocalRegistries;
import io.fleetform.provider.registry.fixture.RegistryExtension;
import io.fleetform.provider.registry.fixture.TestImages;
import io.fleetform.provider.registry.image.Digest;
import io.fleetform.provider.registry.replication.ReplicationOptions;
import io.fleetform.state.local.LocalStateBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plans and applies through the engine ({@link Workspace}, local state backend) against real
 * registries: central (htpasswd) and a mirror reached through a counting proxy.
 */
@ExtendWith(RegistryExtension.class)
class RegistryWorkspaceTest {

    private static final ResourceAddress IMAGE = new ResourceAddress("image.gamesvr");
    private static final ResourceAddress REPLICA = new ResourceAddress("image.gamesvr.mirror.mirror");

    private final LocalRegistries registries;
    @TempDir
    Path dir;
    private FaultProxy mirrorProxy;
    private Workspace workspace;
    private String repository;

    RegistryWorkspaceTest(LocalRegistries registries) {
        this.registries = registries;
    }

    @BeforeEach
    void setUp() throws Exception {
        mirrorProxy = FaultProxy.start(registries.mirror().baseUri());
        repository = TestImages.uniqueRepository("e2e");
        Map<String, String> env = TestFleets.environment(registries.password());
        Files.writeString(dir.resolve("main.fleet"), TestFleets.registries(registries.central().host(),
                mirrorProxy.uri().getAuthority()) + TestFleets.image("gamesvr", repository, "1.4.2", true));
        workspace = new Workspace(dir, EvalOptions.defaults().withEnvironment(env),
                new LocalStateBackend(dir.resolve(".fleetform/state.json")), new ProviderRegistry(List.of(
                        new RegistryProvider(LocalRegistries.FAST_RETRIES, ReplicationOptions.defaults(), Duration.ZERO))));
    }

    @AfterEach
    void tearDown() {
        mirrorProxy.close();
    }

    @Test
    void replicatesOnlyMissingBlobsThenPlansNoChangesThenFollowsAMovedTag() throws Exception {
        TestImages.Image image = TestImages.dockerImage(TestImages.layers(4, 50_000, false));
        Digest digest = image.push(registries.centralClient(), repository, "1.4.2");
        RegistryClient mirror = registries.mirrorClient();
        // The mirror already holds two of the four layers (e.g. a shared base image).
        mirror.pushBlob(repository, image.layers().get(0).content(), image.layers().get(0).mediaType());
        mirror.pushBlob(repository, image.layers().get(1).content(), image.layers().get(1).mediaType());

        Workspace.Planned first = plan(true);
        assertThat(actions(first)).isEqualTo(Map.of(IMAGE, Action.CREATE, REPLICA, Action.CREATE));
        assertThat(change(first, IMAGE).after()).containsEntry("digest", digest.toString());
        List<ApplyEvent> events = new CopyOnWriteArrayList<>();
        ApplyResult applied = apply(first, events);

        assertThat(applied.failed()).isEmpty();
        assertThat(applied.done()).containsEntry(Action.CREATE, 2);
        assertThat(mirror.resolve(repository, "1.4.2").digest()).isEqualTo(digest);
        // config + two missing layers uploaded; the two the mirror had are not.
        assertThat(mirrorProxy.count("POST", "/v2/" + repository + "/blobs/uploads/")).isEqualTo(3);
        assertThat(mirrorProxy.count("PUT", "/v2/" + repository + "/manifests/1.4.2")).isEqualTo(1);
        assertThat(workspace.backend().read().orElseThrow().resources().get(REPLICA).attributes())
                .containsEntry("digest", digest.toString()).doesNotContainValue(registries.password());

        // A second plan, refreshing from both registries, has nothing to do.
        Workspace.Planned again = plan(true);
        assertThat(again.plan().drift()).isEmpty();
        assertThat(actions(again).values()).containsOnly(Action.NO_OP);
        long uploads = mirrorProxy.count("POST", "/blobs/uploads/");

        // Someone pushes a new build under the same tag: the next plan shows it.
        Digest moved = TestImages.dockerImage(TestImages.layers(2, 20_000, false))
                .push(registries.centralClient(), repository, "1.4.2");
        Workspace.Planned withoutRefresh = plan(false);
        assertThat(actions(withoutRefresh)).isEqualTo(Map.of(IMAGE, Action.UPDATE, REPLICA, Action.UPDATE));
        assertThat(change(withoutRefresh, IMAGE).changes()).extracting(AttributeChange::name, AttributeChange::before,
                AttributeChange::after).containsExactly(org.assertj.core.groups.Tuple.tuple("digest",
                digest.toString(), moved.toString()));
        Workspace.Planned refreshed = plan(true);
        assertThat(refreshed.plan().drift()).singleElement().satisfies(d -> {
            assertThat(d.address()).isEqualTo(IMAGE);
            assertThat(d.changes()).extracting(AttributeChange::name).containsExactly("digest");
        });
        assertThat(actions(refreshed).get(REPLICA)).isEqualTo(Action.UPDATE);

        ApplyResult followed = apply(refreshed, events);
        assertThat(followed.failed()).isEmpty();
        assertThat(mirror.resolve(repository, "1.4.2").digest()).isEqualTo(moved);
        assertThat(mirrorProxy.count("POST", "/blobs/uploads/") - uploads).isEqualTo(3);
        assertThat(actions(plan(true)).values()).containsOnly(Action.NO_OP);
    }

    @Test
    void destroyingForgetsTheReplicaAndSaysTheMirrorKeepsIt() throws Exception {
        Digest digest = TestImages.dockerImage(TestImages.layers(1, 5_000, false))
                .push(registries.centralClient(), repository, "1.4.2");
        assertThat(apply(plan(true), new CopyOnWriteArrayList<>()).failed()).isEmpty();

        List<ApplyEvent> events = new CopyOnWriteArrayList<>();
        Workspace.Planned destroy = plan(PlanMode.DESTROY, true);
        assertThat(actions(destroy)).isEqualTo(Map.of(IMAGE, Action.DELETE, REPLICA, Action.DELETE));
        assertThat(apply(destroy, events).failed()).isEmpty();

        assertThat(workspace.backend().read().orElseThrow().resources()).isEmpty();
        String warnings = events.stream().filter(e -> e instanceof ApplyEvent.Finished)
                .flatMap(e -> ((ApplyEvent.Finished) e).warnings().stream()).collect(Collectors.joining("\n"));
        assertThat(warnings).isEqualTo(REPLICA + " is forgotten, not deleted: " + mirrorProxy.uri().getAuthority() + "/"
                + repository + "@" + digest + " stays in registry \"mirror\" (registries keep images; remove it"
                + " there, or let its retention policy do it)");
        assertThat(LocalRegistries.client(registries.mirror(), Credentials.anonymous()).resolve(repository, "1.4.2")
                .digest()).isEqualTo(digest);
    }

    @Test
    void aMirrorTagSomeoneElsePushedIsNeverMovedButTheSameImageThereIsAdopted() throws Exception {
        TestImages.Image ours = TestImages.dockerImage(TestImages.layers(1, 5_000, false));
        Digest digest = ours.push(registries.centralClient(), repository, "1.4.2");
        // Another fleet (or a user) pushed its own build to the mirror under the same repository and tag.
        Digest theirs = TestImages.dockerImage(TestImages.layers(1, 6_000, false))
                .push(registries.mirrorClient(), repository, "1.4.2");

        Workspace.Outcome<Workspace.Planned> refused = tryPlan();
        assertThat(refused.failed()).as("the plan refuses to move another's tag").isTrue();
        assertThat(refused.diagnostics()).filteredOn(d -> d.isError()).extracting(d -> d.message())
                .anySatisfy(m -> assertThat(m).contains(REPLICA.value()).contains(repository + ":1.4.2")
                        .contains(theirs.toString()).contains("this fleet did not push"));
        assertThat(registries.mirrorClient().resolve(repository, "1.4.2").digest()).isEqualTo(theirs);

        // The same image there (pushed by a run that stopped before recording it): planned and applied, no conflict.
        ours.push(registries.mirrorClient(), repository, "1.4.2");
        Workspace.Planned same = plan(true);
        assertThat(actions(same).get(REPLICA)).isEqualTo(Action.CREATE);
        assertThat(apply(same, new CopyOnWriteArrayList<>()).failed()).isEmpty();

        // Someone moves the fleet's tag on the mirror; a new build at the source must not move it back over theirs.
        Digest movedThere = TestImages.dockerImage(TestImages.layers(1, 7_000, false))
                .push(registries.mirrorClient(), repository, "1.4.2");
        TestImages.dockerImage(TestImages.layers(1, 8_000, false)).push(registries.centralClient(), repository, "1.4.2");
        Workspace.Outcome<Workspace.Planned> again = tryPlan();
        assertThat(again.failed()).isTrue();
        assertThat(again.diagnostics()).filteredOn(d -> d.isError()).extracting(d -> d.message())
                .anySatisfy(m -> assertThat(m).contains(movedThere.toString()).contains(digest.toString()));
        assertThat(registries.mirrorClient().resolve(repository, "1.4.2").digest()).isEqualTo(movedThere);
    }

    private Workspace.Outcome<Workspace.Planned> tryPlan() throws Exception {
        try (StateLock lock = workspace.backend().lock(LockInfo.forOperation("plan"))) {
            var configuration = workspace.configuration();
            assertThat(configuration.diagnostics()).as("configuration diagnostics").isEmpty();
            return workspace.plan(configuration.value(), new Workspace.PlanSettings(PlanMode.NORMAL, true, List.of(),
                    List.of()));
        }
    }

    private Workspace.Planned plan(boolean refresh) throws Exception {
        return plan(PlanMode.NORMAL, refresh);
    }

    private Workspace.Planned plan(PlanMode mode, boolean refresh) throws Exception {
        try (StateLock lock = workspace.backend().lock(LockInfo.forOperation("plan"))) {
            var configuration = workspace.configuration();
            assertThat(configuration.diagnostics()).as("configuration diagnostics").isEmpty();
            var planned = workspace.plan(configuration.value(), new Workspace.PlanSettings(mode, refresh, List.of(),
                    List.of()));
            assertThat(planned.diagnostics()).as("plan diagnostics").isEmpty();
            return planned.value();
        }
    }

    private ApplyResult apply(Workspace.Planned planned, List<ApplyEvent> events) throws Exception {
        try (StateLock lock = workspace.backend().lock(LockInfo.forOperation("apply"))) {
            return workspace.apply(planned, Applier.Options.defaults(2), events::add, new AtomicBoolean());
        }
    }

    private static Map<ResourceAddress, Action> actions(Workspace.Planned planned) {
        return planned.plan().changes().stream().collect(Collectors.toMap(ResourceChange::address, ResourceChange::action));
    }

    private static ResourceChange change(Workspace.Planned planned, ResourceAddress address) {
        return planned.plan().changes().stream().filter(c -> c.address().equals(address)).findFirst().orElseThrow();
    }
}
