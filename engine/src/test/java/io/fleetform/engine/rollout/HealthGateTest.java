package io.fleetform.engine.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetform.engine.address.ResourceAddress;
import io.fleetform.engine.provider.ApplyRequest;
import io.fleetform.engine.provider.ApplyResponse;
import io.fleetform.engine.provider.DiffRequest;
import io.fleetform.engine.provider.DiffResponse;
import io.fleetform.engine.provider.ExpandRequest;
import io.fleetform.engine.provider.ExpandResponse;
import io.fleetform.engine.provider.HealthRequest;
import io.fleetform.engine.provider.HealthResponse;
import io.fleetform.engine.provider.ImportRequest;
import io.fleetform.engine.provider.ImportResponse;
import io.fleetform.engine.provider.Provider;
import io.fleetform.engine.provider.ProviderContext;
import io.fleetform.engine.provider.ProviderException;
import io.fleetform.engine.provider.ProviderRegistry;
import io.fleetform.engine.provider.ReadRequest;
import io.fleetform.engine.provider.ReadResponse;
import io.fleetform.engine.resource.ResourceLifecycle;
import io.fleetform.engine.state.ResourceState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The healthy gate's rules, with a scripted provider (the real ones are tested on Docker and the API server). */
class HealthGateTest {
    private static final ResourceState R = new ResourceState(new ResourceAddress("zone.z1.service.s[0]"), "t", "fake",
            Map.of(), Set.of(), List.of(), ResourceLifecycle.DEFAULT);

    /** Answers the scripted responses in turn, then the last one for ever. */
    private static final class Scripted implements Provider, io.fleetform.engine.provider.ProviderSession {
        private final Iterator<HealthResponse> answers;
        private HealthResponse last;

        Scripted(HealthResponse... answers) {
            this.answers = List.of(answers).iterator();
        }

        @Override
        public String name() {
            return "fake";
        }

        @Override
        public io.fleetform.engine.provider.ProviderSession open(io.fleetform.engine.provider.SessionRequest request) {
            return this;
        }

        @Override
        public HealthResponse health(HealthRequest request) throws ProviderException {
            if (answers.hasNext()) {
                last = answers.next();
            }
            if (last == null) {
                throw ProviderException.temporary("the API is down");
            }
            return last;
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
            return ApplyResponse.deleted();
        }

        @Override
        public ImportResponse importResource(ImportRequest request) {
            throw new UnsupportedOperationException();
        }
    }

    private static HealthGate.Result gate(Provider provider, Duration healthyFor, Duration timeout)
            throws InterruptedException {
        ProviderContext context = new ProviderContext(Path.of("."), Map.of());
        try (var sessions = new ProviderRegistry(List.of(provider)).open(java.util.Optional.empty(),
                new io.fleetform.engine.provider.FleetIdentity("f", "lineage"), List.of(), context)) {
            return new HealthGate(sessions, context, timeout, Duration.ofMillis(20)).await(List.of(R), healthyFor,
                    () -> false, d -> { });
        }
    }

    @Test
    void healthyForTheWholeWindowPasses() throws Exception {
        HealthGate.Result r = gate(new Scripted(HealthResponse.progressing("starting", 0),
                HealthResponse.healthy("ready", 0)), Duration.ofMillis(200), Duration.ofSeconds(5));
        assertThat(r.healthy()).as(r.why()).isTrue();
    }

    @Test
    void unhealthyFailsAtOnceWithWhatTheServerSaid() throws Exception {
        HealthGate.Result r = gate(new Scripted(HealthResponse.healthy("running", -1),
                HealthResponse.unhealthy("restarting on local", -1)), Duration.ofSeconds(10), Duration.ofSeconds(10));
        assertThat(r.healthy()).isFalse();
        assertThat(r.why()).contains("zone.z1.service.s[0] is unhealthy: restarting on local");
    }

    @Test
    void aGrowingRestartCountFailsEvenWhenEachAnswerSaysReady() throws Exception {
        HealthGate.Result r = gate(new Scripted(HealthResponse.healthy("ready", 2), HealthResponse.healthy("ready", 3)),
                Duration.ofSeconds(10), Duration.ofSeconds(10));
        assertThat(r.healthy()).isFalse();
        assertThat(r.why()).contains("restarted 1 time(s)");
    }

    @Test
    void stillProgressingOrUnreachableAtTheTimeoutFails() throws Exception {
        HealthGate.Result r = gate(new Scripted(), Duration.ofMillis(100), Duration.ofMillis(300));
        assertThat(r.healthy()).isFalse();
        assertThat(r.why()).contains("not healthy within").contains("health check failed: the API is down");
    }

    @Test
    void resourcesWithoutAHealthSignalPassAtOnce() throws Exception {
        HealthGate.Result r = gate(new Scripted(HealthResponse.UNKNOWN), Duration.ofMinutes(5), Duration.ofMinutes(5));
        assertThat(r.healthy()).isTrue();
        assertThat(r.why()).contains("no health signal");
    }
}
