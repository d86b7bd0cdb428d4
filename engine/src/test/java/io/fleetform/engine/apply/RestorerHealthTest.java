package io.fleetform.engine.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.provider.ApplyRequest;
import io.fleetform.engine.provider.ApplyResponse;
import io.fleetform.engine.provider.DiffRequest;
import io.fleetform.engine.provider.DiffResponse;
import io.fleetform.engine.provider.ExpandRequest;
import io.fleetform.engine.provider.ExpandResponse;
import io.fleetform.engine.provider.FleetIdentity;
import io.fleetform.engine.provider.HealthRequest;
import io.fleetform.engine.provider.HealthResponse;
import io.fleetform.engine.provider.ImportRequest;
import io.fleetform.engine.provider.ImportResponse;
import io.fleetform.engine.provider.Provider;
import io.fleetform.engine.provider.ProviderContext;
import io.fleetform.engine.provider.ProviderRegistry;
import io.fleetform.engine.provider.ProviderSession;
import io.fleetform.engine.provider.ReadRequest;
import io.fleetform.engine.provider.ReadResponse;
import io.fleetform.engine.provider.SessionRequest;
import io.fleetform.engine.resource.ResourceLifecycle;
import io.fleetform.engine.rollout.HealthGate;
import io.fleetform.engine.state.ResourceState;
import io.fleetform.engine.state.RolloutRecord;
import io.fleetform.engine.state.State;
import io.fleetform.engine.state.StateJournal;
import io.fleetform.engine.state.StateStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A rollback waits for each restored stage to be healthy before the next: a stage whose restored
 * servers are unhealthy stops it there (later stages keep their values), the stage is recorded as
 * failed with why, and every write leaves what was restored on disk. A scripted provider stands in.
 */
class RestorerHealthTest {
    private static final ResourceAddress Z1 = new ResourceAddress("zone.z1.service.s[0]");
    private static final ResourceAddress Z2 = new ResourceAddress("zone.z2.service.s[0]");

    /** Applies whatever it is asked; servers in zone z1 crash, the others are fine. */
    private static final class Fake implements Provider, ProviderSession {
        final List<ResourceAddress> applied = new ArrayList<>();
        String says = "crash-looping";

        @Override
        public String name() {
            return "fake";
        }

        @Override
        public ProviderSession open(SessionRequest request) {
            return this;
        }

        @Override
        public HealthResponse health(HealthRequest request) {
            return request.resource().address().equals(Z1) ? HealthResponse.unhealthy(says, 3)
                    : HealthResponse.healthy("running", 0);
        }

        @Override
        public ExpandResponse expand(ExpandRequest request) {
            return new ExpandResponse(List.of(), List.of());
        }

        @Override
        public ReadResponse read(ReadRequest request) {
            return ReadResponse.gone();
        }

        @Override
        public DiffResponse diff(DiffRequest request) {
            return DiffResponse.IN_PLACE;
        }

        @Override
        public ApplyResponse apply(ApplyRequest request) {
            applied.add(request.desired().orElseThrow().address());
            return new ApplyResponse(request.desired().orElseThrow().attributes(), List.of());
        }

        @Override
        public ImportResponse importResource(ImportRequest request) {
            throw new UnsupportedOperationException();
        }
    }

    /** Keeps every state written. */
    private static final class Memory implements StateStore {
        final List<State> written = new ArrayList<>();

        @Override
        public Optional<State> read() {
            return written.isEmpty() ? Optional.empty() : Optional.of(written.get(written.size() - 1));
        }

        @Override
        public void write(State state) {
            written.add(state);
        }

        @Override
        public StateJournal journal(State base) {
            throw new UnsupportedOperationException();
        }
    }

    private static ResourceState instance(ResourceAddress a, String image) {
        return new ResourceState(a, "t", "fake", Map.of("image", image), Set.of(), List.of(),
                ResourceLifecycle.DEFAULT);
    }

    private static RolloutRecord.StageRecord stage(String name, String zone) {
        return new RolloutRecord.StageRecord(name, RolloutRecord.Status.HEALTHY, "", Map.of(zone,
                RolloutRecord.Status.HEALTHY));
    }

    @Test
    void aRestoredStageThatIsNotHealthyStopsTheRollback() throws Exception {
        Map<ResourceAddress, ResourceState> now = new LinkedHashMap<>();
        now.put(Z1, instance(Z1, "v2"));
        now.put(Z2, instance(Z2, "v2"));
        RolloutRecord run = new RolloutRecord("default", "sha256:bbbb", "", "sha256:aaaa", "now",
                RolloutRecord.Status.HEALTHY, "", List.of(stage("canary", "z1"), stage("rest", "z2")),
                Map.of(Z1, instance(Z1, "v1"), Z2, instance(Z2, "v1")), Set.of(Z1, Z2), Set.of());
        State state = new State(State.FORMAT_VERSION, "lineage", 7, now, Map.of()).withRollout(run);
        Fake fake = new Fake();
        Memory store = new Memory();
        ProviderContext context = new ProviderContext(Path.of("."), Map.of());
        List<String> events = new ArrayList<>();
        Restorer.Restored restored;
        try (var sessions = new ProviderRegistry(List.of(fake)).open(Optional.empty(),
                new FleetIdentity("f", "lineage"), List.of(), context)) {
            HealthGate gate = new HealthGate(sessions, context, Duration.ofSeconds(2), Duration.ofMillis(20));
            restored = new Restorer(sessions, gate).restore(state, List.of(
                    new Restorer.Group("canary", List.of("z1"), Duration.ofMillis(100)),
                    new Restorer.Group("rest", List.of("z2"), Duration.ofMillis(100))), Map.of(), store, context,
                    RolloutRecord.Status.ROLLED_BACK, events::add);
        }

        assertThat(fake.applied).containsExactly(Z1);
        assertThat(restored.ok()).isFalse();
        assertThat(restored.unhealthy()).contains("stage canary").contains("crash-looping");
        RolloutRecord after = restored.state().rollout().orElseThrow();
        assertThat(after.stage("canary").orElseThrow().status()).isEqualTo(RolloutRecord.Status.FAILED);
        assertThat(after.stage("canary").orElseThrow().reason()).startsWith("restored, but not healthy");
        assertThat(after.stage("rest").orElseThrow().status()).isEqualTo(RolloutRecord.Status.HEALTHY);
        assertThat(after.status()).isEqualTo(RolloutRecord.Status.ROLLED_BACK);
        assertThat(after.reason()).contains("which is not healthy");
        assertThat(restored.state().resources().get(Z1).attributes().get("image")).isEqualTo("v1");
        assertThat(restored.state().resources().get(Z2).attributes().get("image")).isEqualTo("v2");
        // what was restored was written before the wait
        assertThat(store.written.get(0).resources().get(Z1).attributes().get("image")).isEqualTo("v1");
        assertThat(events).anyMatch(e -> e.startsWith("== stage canary: restored; waiting for 1 resource(s)"))
                .anyMatch(e -> e.startsWith("== stage canary is not healthy"));
    }

    /** What the servers say (a probe printing its secret) reaches the record, the answer and the lines redacted. */
    @Test
    void aHealthAnswerQuotingASecretIsRecordedWithoutIt() throws Exception {
        String secret = "s3cr3t-token-7781";
        Map<ResourceAddress, ResourceState> now = new LinkedHashMap<>();
        now.put(Z1, instance(Z1, "v2"));
        RolloutRecord run = new RolloutRecord("default", "sha256:bbbb", "", "sha256:aaaa", "now",
                RolloutRecord.Status.FAILED, "", List.of(stage("canary", "z1")), Map.of(Z1, instance(Z1, "v1")),
                Set.of(Z1), Set.of());
        State state = new State(State.FORMAT_VERSION, "lineage", 7, now, Map.of()).withRollout(run);
        Fake fake = new Fake();
        fake.says = "probe exec failed: connecting with " + secret + " refused";
        Memory store = new Memory();
        ProviderContext context = new ProviderContext(Path.of("."), Map.of());
        List<String> events = new ArrayList<>();
        Restorer.Restored restored;
        try (var sessions = new ProviderRegistry(List.of(fake)).open(Optional.empty(),
                new FleetIdentity("f", "lineage"), List.of(), context)) {
            HealthGate gate = new HealthGate(sessions, context, Duration.ofSeconds(2), Duration.ofMillis(20));
            restored = new Restorer(sessions, gate, new SecretTexts(List.of(secret))).restore(state, List.of(
                    new Restorer.Group("canary", List.of("z1"), Duration.ofMillis(100))), Map.of(), store, context,
                    RolloutRecord.Status.ABORTED, events::add);
        }
        RolloutRecord after = restored.state().rollout().orElseThrow();
        assertThat(after.stage("canary").orElseThrow().reason()).contains("connecting with (sensitive) refused")
                .doesNotContain(secret);
        assertThat(after.reason()).doesNotContain(secret);
        assertThat(restored.unhealthy()).contains("(sensitive)").doesNotContain(secret);
        assertThat(events).isNotEmpty().allSatisfy(e -> assertThat(e).doesNotContain(secret));
    }
}
